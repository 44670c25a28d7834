-- 021_quality_norm: a faster jx_norm. translate() is the expensive part of the 020 version
-- (≈3 µs a call); it now runs only on strings that contain full-width digits, letters or
-- operators, which most values do not. Same results as before.
CREATE OR REPLACE MACRO jx_norm(s) AS
  lower(regexp_replace(
    CASE WHEN regexp_matches(coalesce(s, ''), '[０-９％＜＞＝．Ａ-Ｚａ-ｚ]')
         THEN translate(s, '０１２３４５６７８９％＜＞＝．ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
                               '0123456789%<>=.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
         ELSE coalesce(s, '') END,
    '[\s\x{3000}\x{00a0},，。、;；:：()（）\[\]【】〔〕<>《》"“”''‘’·!！?？…_\-—]+', '', 'g'));
