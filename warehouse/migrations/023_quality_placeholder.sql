-- 023_quality_placeholder: jx_placeholder normalizes its argument once instead of up to three
-- times (same results as 020); on 10M indicators this was the bulk of the placeholder rules' time.
CREATE OR REPLACE MACRO jx_placeholder(v) AS CASE
  WHEN v IS NULL OR trim(v) = '' THEN 'empty'
  WHEN trim(v) IN ('无', '/', '／', '-', '--', '—', '——', '不适用', '暂无', 'N/A', 'n/a', 'NA', '\') THEN 'none'
  ELSE list_transform([jx_norm(v)], n -> CASE
    WHEN n = '' THEN 'empty'
    WHEN regexp_full_match(n, '(<|>|<=|>=|≤|≥|=|≦|≧)?[0-9.]*(分)?(优|良|中|差|优秀|良好|优良)+') THEN 'grade'
    WHEN regexp_full_match(n, '(节约成本|节约资金|节约经费|节省成本|控制成本|成本控制|降低成本|按时完成|按期完成|及时完成|完成|有效提升|明显提升|逐步提高|进一步提高|显著提高|有所提高|提高|提升|较好|好|正常|正常运行|保障运行|符合要求|达到要求|达标|有效|明显|显著|是|否)') THEN 'generic'
    ELSE NULL END)[1]
  END;
