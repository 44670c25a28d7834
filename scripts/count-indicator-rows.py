#!/usr/bin/env python3
"""
Independent count of indicator rows in a PDF, for the hand counts in tests/expected/pdf-counts.tsv.

It shares nothing with jixiao's extractor (which reads pdf.js operator lists): it renders each page
with poppler (`pdftoppm -gray -r 144`) and counts the horizontal rules of the table that cross the
middle of its 三级指标 column (a row of a ruled table is the space between two rules; the 三级
column is never merged, so every indicator row is closed by a rule there). The column's x and the
header's bottom come from the words of `pdftotext -bbox`. A page without a header continues the
previous page's column while it prints level words (产出指标, 数量指标 …). The table's scope is the
last title seen above its header (部门整体 / 整体支出 → department, else project). Per-page figures
(--pages) are meant to be checked by a person against the rendered page.

usage: count-indicator-rows.py FILE.pdf [--pages]
"""
import html, re, subprocess, sys, tempfile, os
import numpy as np

LEVEL_WORD = re.compile(r'^(产出指标|效益指标|效果指标|满意度指标|成本指标|数量指标|质量指标|时效指标)')
L3_HEAD = re.compile(r'^(三级指标|三级|三级指标名称|绩效指标名称|指标内容)$')
L3_FLAT = re.compile(r'^(绩效指标|指标名称)$')
VALUE_HEAD = re.compile(r'指标值|目标值|指标性质|度量单位|标值|值$')
TITLE_DEPT = re.compile(r'部门整体|整体支出|单位整体|部门（单位）整体')
TITLE_PROJ = re.compile(r'项目.{0,12}(?:绩效目标|绩效信息)|专项.{0,10}绩效目标|政策和项目')
STOP = re.compile(r'^(项目名称|部门名称|单位名称|预算表\d+|预算\d+表|表\d+)')

def words_of(pdf):
    out = subprocess.run(['pdftotext', '-bbox', pdf, '-'], capture_output=True, text=True).stdout
    pages = []
    for pg in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        ws = [dict(x0=float(a), y0=float(b), x1=float(c), y1=float(d), t=html.unescape(t)) for a, b, c, d, t in
              re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', pg[2])]
        pages.append((float(pg[0]), float(pg[1]), ws))
    return pages

_cache = {}
def page_image(pdf, pno):
    if (pdf, pno) in _cache:
        return _cache[(pdf, pno)]
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(['pdftoppm', '-gray', '-r', '144', '-f', str(pno), '-l', str(pno), pdf, os.path.join(d, 'p')], check=True)
        f = [n for n in os.listdir(d)][0]
        raw = open(os.path.join(d, f), 'rb').read()
    parts = raw.split(b'\n', 3)
    w, h = map(int, parts[1].split())
    img = np.frombuffer(parts[3][: w * h], dtype=np.uint8).reshape(h, w)
    _cache.clear()
    _cache[(pdf, pno)] = img < 215
    return _cache[(pdf, pno)]

def column_edges(pdf, pno, x, top, bottom):
    """x (points) of the vertical rules left and right of x that run through the header row."""
    dark = page_image(pdf, pno)
    a, b = int(top * 2) + 3, int(bottom * 2) - 3
    xi = int(round(x * 2))
    if b <= a:
        return x - 40, x + 40
    full = dark[a:b, :].all(axis=0)
    left = next((i for i in range(xi, 0, -1) if full[i]), 0)
    right = next((i for i in range(xi, full.shape[0]) if full[i]), full.shape[0] - 1)
    return left / 2, right / 2

def rules_at(pdf, pno, x, y0, y1):
    """y of horizontal rules crossing column x (page points) between y0 and y1."""
    dark = page_image(pdf, pno)
    h = dark.shape[0]
    xi = int(round(x * 2))
    ys = []
    for y in range(max(0, int(y0 * 2) - 4), min(h, int(y1 * 2) + 4)):
        seg = dark[y, max(0, xi - 30): xi + 31]
        if seg.all():
            ys.append(y)
    # merge adjacent pixel rows into one rule
    out = []
    for y in ys:
        if out and y - out[-1][-1] <= 3:
            out[-1].append(y)
        else:
            out.append([y])
    return [sum(r) / len(r) / 2 for r in out]

def main():
    pdf = sys.argv[1]
    pages = words_of(pdf)
    col = None  # (x, scope)
    scope = 'project'
    total = {'project': 0, 'department': 0}
    tables = 0
    for pno, (pw, ph, ws) in enumerate(pages, 1):
        heads = []
        for wd in ws:
            band = [o for o in ws if abs(o['y0'] - wd['y0']) < 30 and o is not wd]
            has_l1 = any(re.match(r'^(一级|一级指标|一级指)$', o['t']) for o in band)
            has_val = any(VALUE_HEAD.search(o['t']) for o in band)
            if L3_HEAD.match(wd['t']) and has_l1 and has_val:
                heads.append(wd)
            elif L3_FLAT.match(wd['t']) and not has_l1 and has_val:
                heads.append(wd)  # 一级 + 二级 + 三级 flattened into one 绩效指标 / 指标名称 column
        # collapse 三级 + 指标 split on two lines
        heads.sort(key=lambda w: w['y0'])
        hs = []
        for h in heads:
            if hs and abs(h['y0'] - hs[-1]['y0']) < 30:
                continue
            hs.append(h)
        counted = {'project': 0, 'department': 0}
        segs = []
        if hs:
            for i, h in enumerate(hs):
                titles = [o for o in ws if o['y1'] < h['y0'] and (TITLE_DEPT.search(o['t']) or TITLE_PROJ.search(o['t']))]
                line_titles = titles
                if line_titles:
                    scope = 'department' if TITLE_DEPT.search(line_titles[-1]['t']) else 'project'
                x = (h['x0'] + h['x1']) / 2
                band_bottom = max(o['y1'] for o in ws if abs(o['y0'] - h['y0']) < 30 and abs((o['x0'] + o['x1']) / 2 - x) < 200)
                y0 = h['y1']
                nxt = hs[i + 1]['y0'] if i + 1 < len(hs) else ph
                stops = [o['y0'] for o in ws if o['y0'] > band_bottom + 5 and o['y0'] < nxt and STOP.match(o['t'])]
                y1 = min(stops) if stops else nxt
                col = (x, scope)
                tables += 1
                segs.append((y0, y1, x, scope, h['y1']))
        elif col is not None and any(LEVEL_WORD.match(o['t']) for o in ws):
            stops = [o['y0'] for o in ws if STOP.match(o['t'])]
            segs.append((0, min(stops) if stops else ph, col[0], col[1], 0))
        else:
            col = None
        for y0, y1, x, sc, band_bottom in segs:
            allr = rules_at(pdf, pno, x, 0, y1)
            # the first rule at or below the header's last line closes the header row
            rs = [r for r in allr if r >= band_bottom and r >= y0]
            above = [r for r in allr if r < band_bottom]
            if band_bottom and above and rs:
                xl, xr = column_edges(pdf, pno, x, above[-1], rs[0])
            elif col is not None and len(col) > 2:
                xl, xr = col[2], col[3]
            else:
                xl, xr = x - 40, x + 40
            col = (x, sc, xl, xr)
            # a row counts when its 三级 cell has text (rows that only name a 二级 are not indicators)
            n = 0
            for a, b in zip(rs, rs[1:]):
                if any(a < (o['y0'] + o['y1']) / 2 < b and xl < (o['x0'] + o['x1']) / 2 < xr for o in ws):
                    n += 1
            counted[sc] += n
        for k in total:
            total[k] += counted[k]
        if '--pages' in sys.argv and (counted['project'] or counted['department'] or segs):
            print(f'  p{pno}: project={counted["project"]} department={counted["department"]}')
    print(f'{pdf}\tproject_rows={total["project"]}\tdepartment_rows={total["department"]}\theaders={tables}')

main()
