#!/usr/bin/env python3
"""Writes a large generated 集约化 government site for the whole-run benchmark (Python 3 stdlib only).

    python3 benches/gensite.py OUT_DIR --units N [--docs-per-column K] [--seed S]

One host holds a district portal (`/index.html`), `robots.txt` (which disallows `/search/`, the search
page every page links to) and N units' 政府信息公开专栏, alternating two CMS styles as on real platforms:

- even units: TRS WCM-like, GBK bytes declared `charset=gb2312`, `/jdNNN/xxgk/`; column lists
  `index.html`, `index_1.html` … paged by the TRS `createPageHTML()` script (the links are written by
  JavaScript; a `<noscript>` pager carries the same links for crawlers that do not run the pager);
  detail pages `./YYYYMM/tYYYYMMDD_ID.html` with the `table.xxgk-info` 信息公开 metadata table;
- odd units: div-and-span (gkmlpt / Lonsun-like), UTF-8, `/bmNNN/public/`; lists `column/CODE/index.html`,
  `page-2.html` … with a numbered pager; details `content/post_ID.html` with a `div.meta-box`.

Each unit has 8 list columns of K documents (20 entries per list page), single-page columns (指南,
制度, 依申请公开) and a 年报 column; one document in 20 links an attachment (a real small PDF or XLSX).
Every link stays on the host that serves the site: nothing points off loopback.

It writes `OUT_DIR/site/` and `OUT_DIR/manifest.json`: the units (id, name, kind, root path, CMS) and the
path of every file, which is every URL a complete crawl must find (robots.txt and the search page
excepted). Everything is invented; the output is deterministic for a given seed.
"""
import argparse
import datetime as dt
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures", "demo"))
import build_lib as L  # noqa: E402  (the demo's tiny real PDF and XLSX writers)

PER_PAGE = 20
START = dt.date(2022, 1, 4)
END = dt.date(2025, 12, 26)

TOWNS = ["包公", "望湖", "万年埠", "常青", "芜湖路", "宁国路", "骆岗", "烟墩", "滨湖", "义城", "大圩", "同安",
         "方兴", "淝河", "花园", "义兴", "紫云", "龙岗", "合九", "上派"]
DEPTS = ["发展和改革委员会", "教育体育局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "住房和城乡建设局",
         "交通运输局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局",
         "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "数据资源管理局", "退役军人事务局"]
COLUMNS = [("gzdt", "工作动态"), ("tzgg", "通知公告"), ("gfxwj", "规范性文件"), ("ghjh", "规划计划"),
           ("czyjs", "财政预决算"), ("zcjd", "政策解读"), ("rsxx", "人事信息"), ("zdly", "重点领域信息公开")]
SINGLE = [("gkzn", "政府信息公开指南"), ("gkzd", "政府信息公开制度"), ("ysqgk", "依申请公开")]
ACTS = ["召开", "开展", "部署", "推进", "组织", "举办", "落实", "深化", "做好", "加强"]
TOPICS = ["政务公开工作领导小组会议", "安全生产大检查", "老旧小区改造工作", "城市精细化管理", "防汛抗旱工作",
          "基层治理能力提升", "营商环境优化提升行动", "民生实事项目推进", "文明创建工作", "社会救助政策宣传",
          "垃圾分类示范片区建设", "就业援助月活动", "燃气安全专项整治", "消防安全知识培训", "养老服务体系建设",
          "政府开放日活动", "人大代表建议办理", "预算执行情况分析", "重点项目建设调度", "网格化服务管理"]
SENT = ["为深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，进一步提升政务公开标准化规范化水平",
        "会议听取了各科室、各社区近期工作情况汇报，分析了当前存在的困难和问题，对下一阶段重点任务作出安排",
        "会议强调，要坚持以公开为常态、不公开为例外，持续做好法定主动公开内容的发布和更新",
        "各社区要压紧压实工作责任，建立工作台账，明确时间节点，确保各项任务按期保质完成",
        "活动现场，工作人员通过发放宣传资料、现场解答咨询等方式，向辖区居民宣传相关政策",
        "下一步，将继续聚焦群众关切，加大政策解读力度，以图解、视频等多种形式提升政策知晓度",
        "本次检查共出动检查人员四十余人次，排查各类隐患二十余处，已全部督促整改到位",
        "截至目前，已完成年度目标任务的百分之八十五，各项工作总体进展顺利",
        "与会人员围绕基层政务公开标准目录编制、政务公开专区建设等内容进行了深入交流",
        "通过线上线下相结合的方式，广泛征求社会各界意见建议，共收集有效意见十二条"]


def write(site, rel, data, enc, files):
    path = os.path.join(site, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode(enc)  # strict: a character GBK cannot encode is an error
    with open(path, "wb") as f:
        f.write(data)
    files.append(rel)


class Doc:
    """One document of a column."""

    def __init__(self, rng, unit_name, col, colname, seq, tid):
        span = (END - START).days
        self.pub = START + dt.timedelta(days=rng.randrange(span))
        self.written = self.pub - dt.timedelta(days=rng.randrange(0, 6))
        self.title = "%s%s%s" % (unit_name, rng.choice(ACTS), rng.choice(TOPICS))
        if col == "gfxwj":
            self.title = "关于印发《%s实施办法》的通知" % rng.choice(TOPICS)
        self.col, self.colname, self.seq, self.tid = col, colname, seq, tid
        self.body = [rng.choice(SENT) + "。" + rng.choice(SENT) + "。" for _ in range(rng.randrange(4, 9))]
        self.docno = "%s〔%d〕%d号" % (unit_name[:2] + "政", self.pub.year, seq) if col == "gfxwj" else ""
        self.validity = "有效" if col == "gfxwj" else ""
        self.attachment = None


def year_month(d):
    return d.strftime("%Y%m")


# ------------------------------------------------------------------ TRS-like (GBK)
TRS_PAGER_JS = '''<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	document.write("<span>共" + _nPageCount + "页</span>&nbsp;");
	if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;");
	else {
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
		var prev = (nCurrIndex == 1) ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
		document.write("<a href=\\"" + prev + "\\">上一页</a>&nbsp;");
	}
	if(nCurrIndex + 1 >= _nPageCount) document.write("<span>下一页</span>&nbsp;<span>尾页</span>");
	else {
		document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
	}
}
</script>'''


class Trs:
    """A street's 专栏 in TRS WCM-like markup, GBK."""

    kind = "street"
    cms = "trs-gbk"
    enc = "gbk"

    def __init__(self, n):
        self.id = "jd%03d" % n
        self.name = "%s街道" % TOWNS[n // 2 % len(TOWNS)] + ("" if n < 2 * len(TOWNS) else str(n))
        self.base = "/%s/xxgk/" % self.id
        self.code = "11340111MB%07d%s" % (1000000 + n, "X")

    def nav(self, active):
        out = ['<div class="xxgk-left">', '<div class="xxgk-left-tit">政府信息公开</div>', '<ul class="xxgk-menu">']
        for code, name in SINGLE[:2]:
            out.append('<li%s><a href="%s%s/">%s</a></li>' % (' class="on"' if code == active else "", self.base, code, name))
        out.append('<li><a href="%sfdzdgknr/">法定主动公开内容</a>' % self.base)
        out.append('<ul class="xxgk-sub">')
        for code, name in COLUMNS:
            out.append('<li%s><a href="%s%s/">%s</a></li>' % (' class="on"' if code == active else "", self.base, code, name))
        out.append('</ul></li>')
        out.append('<li><a href="%snb/">政府信息公开年报</a></li>' % self.base)
        out.append('<li><a href="%sysqgk/">依申请公开</a></li>' % self.base)
        out += ['</ul>', '</div>']
        return "\n".join(out)

    def page(self, title, crumbs, body, active=None, metas=""):
        crumb = ' &gt; '.join('<a href="%s">%s</a>' % (h, t) if h else '<span>%s</span>' % t for t, h in crumbs)
        return '''<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>%(title)s_%(name)s政府信息公开</title>
<meta name="SiteName" content="合肥市包河区人民政府" />
<meta name="SiteIDCode" content="3401110001" />
%(metas)s<link rel="stylesheet" type="text/css" href="/static/xxgk.css" />
</head>
<body>
<div class="top">
  <div class="top-in"><span class="site-name">%(name)s</span> <span class="site-sub">政府信息公开</span>
  <form class="search" action="/search/index.html" method="get"><input type="hidden" name="siteid" value="%(id)s" /><input type="text" name="q" /><input type="submit" value="搜索" /></form></div>
</div>
<div class="position">当前位置：%(crumb)s</div>
<div class="main">
%(nav)s
<div class="xxgk-right">
%(body)s
</div>
</div>
<div class="footer">
<p><a href="/index.html">网站首页</a> | <a href="%(base)sgkzn/">公开指南</a> | <a href="%(base)sysqgk/">依申请公开</a> | 政务服务便民热线：12345</p>
<p>主办单位：合肥市包河区人民政府%(name)s办事处　承办单位：%(name)s党政办公室　地址：合肥市包河区徽州大道1888号</p>
<p>皖ICP备05002123号-1　网站标识码：3401110001　皖公网安备 34011102000123号</p>
</div>
</body>
</html>
''' % dict(title=title, name=self.name, metas=metas, crumb=crumb, nav=self.nav(active), body=body,
           base=self.base, id=self.id)

    def doc_url(self, d):
        return "%s%s/%s/t%s_%d.html" % (self.base, d.col, year_month(d.pub), d.pub.strftime("%Y%m%d"), d.tid)

    def doc_href(self, d):
        return "./%s/t%s_%d.html" % (year_month(d.pub), d.pub.strftime("%Y%m%d"), d.tid)

    def detail(self, d):
        tbl = '''<table class="xxgk-info" cellspacing="0" cellpadding="0">
<tr><th>索引号：</th><td>%s/%s-%05d</td><th>信息分类：</th><td>%s</td></tr>
<tr><th>发布机构：</th><td>%s办事处</td><th>成文日期：</th><td>%s</td></tr>
<tr><th>发布日期：</th><td>%s</td><th>文　　号：</th><td>%s</td></tr>
<tr><th>有 效 性：</th><td>%s</td><th>主 题 词：</th><td></td></tr>
<tr><th>名　　称：</th><td colspan="3">%s</td></tr>
</table>''' % (self.code, year_month(d.pub), d.seq, d.colname, self.name, d.written, d.pub, d.docno,
               d.validity, d.title)
        att = ""
        if d.attachment:
            att = '<div class="fj"><p>附件：</p><p><a href="%s">%s</a></p></div>' % d.attachment
        body = '''<div class="xxgk-detail">
%s
<h1 class="article-title">%s</h1>
<div class="article-info">发布时间：%s 09:30　来源：%s</div>
<div class="TRS_Editor">
%s
</div>
%s
<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>''' % (tbl, d.title, d.pub, self.name, "\n".join("<p>%s</p>" % p for p in d.body), att)
        metas = ('<meta name="ColumnName" content="%s" />\n<meta name="ArticleTitle" content="%s" />\n'
                 '<meta name="PubDate" content="%s 09:30" />\n' % (d.colname, d.title, d.pub))
        crumbs = [("首页", "/index.html"), ("政府信息公开", "../../"), (d.colname, "../")]
        return self.doc_url(d), self.page(d.title, crumbs, body, d.col, metas)

    def lists(self, col, colname, docs):
        pages = max(1, (len(docs) + PER_PAGE - 1) // PER_PAGE)
        for p in range(pages):
            chunk = docs[p * PER_PAGE:(p + 1) * PER_PAGE]
            items = "\n".join('<li><a href="%s" title="%s" target="_blank">%s</a><span>%s</span></li>'
                              % (self.doc_href(d), d.title, d.title, d.pub) for d in chunk)
            pager = ""
            if pages > 1:
                links = []
                if p > 0:
                    links.append('<a href="index.html">首页</a>')
                    links.append('<a href="%s">上一页</a>' % ("index.html" if p == 1 else "index_%d.html" % (p - 1)))
                if p + 1 < pages:
                    links.append('<a href="index_%d.html">下一页</a>' % (p + 1))
                    links.append('<a href="index_%d.html">尾页</a>' % (pages - 1))
                pager = ('%s\n<div class="page"><script type="text/javascript">createPageHTML(%d, %d, "index", "html");'
                         '</script><noscript>%s</noscript></div>' % (TRS_PAGER_JS, pages, p, " ".join(links)))
            body = '<div class="xxgk-col-tit"><span>%s</span></div>\n<ul class="xxgk-list">\n%s\n</ul>\n%s' % (
                colname, items, pager)
            name = "index.html" if p == 0 else "index_%d.html" % p
            crumbs = [("首页", "/index.html"), ("政府信息公开", "../"), (colname, None)]
            yield ("%s%s/%s" % (self.base, col, name),
                   self.page(colname, crumbs, body, col, '<meta name="ColumnName" content="%s" />\n' % colname))

    def single(self, col, colname, text, updated):
        body = '<div class="xxgk-col-tit"><span>%s</span></div>\n<div class="TRS_Editor">%s</div>\n<p>更新日期：%s</p>' % (
            colname, text, updated)
        crumbs = [("首页", "/index.html"), ("政府信息公开", "../"), (colname, None)]
        return "%s%s/index.html" % (self.base, col), self.page(colname, crumbs, body, col)

    def root(self, newest):
        blocks = []
        for col, colname in COLUMNS[:4]:
            items = "\n".join('<li><a href="./%s/%s">%s</a><span>%s</span></li>'
                              % (col, self.doc_href(d)[2:], d.title, d.pub.strftime("%m-%d")) for d in newest[col][:6])
            blocks.append('<div class="home-block"><div class="tit"><a href="./%s/">%s</a></div><ul>%s</ul></div>'
                          % (col, colname, items))
        crumbs = [("首页", "/index.html"), ("政府信息公开", None)]
        return self.base + "index.html", self.page("政府信息公开", crumbs, "\n".join(blocks))

    def fdzdgknr(self):
        items = "\n".join('<li><a href="../%s/">%s</a></li>' % c for c in COLUMNS)
        crumbs = [("首页", "/index.html"), ("政府信息公开", "../"), ("法定主动公开内容", None)]
        return (self.base + "fdzdgknr/index.html",
                self.page("法定主动公开内容", crumbs, '<ul class="xxgk-list">%s</ul>' % items, "fdzdgknr"))


# ------------------------------------------------------------------ div-and-span (UTF-8)
class Divs(Trs):
    """A department's 专栏 in div-and-span markup, UTF-8."""

    kind = "department"
    cms = "div-utf8"
    enc = "utf-8"

    def __init__(self, n):
        self.id = "bm%03d" % n
        self.name = "包河区" + DEPTS[n // 2 % len(DEPTS)] + ("" if n < 2 * len(DEPTS) else str(n))
        self.base = "/%s/public/" % self.id
        self.code = "11340111MB%07d%s" % (2000000 + n, "Y")

    def col_url(self, col):
        return "%scolumn/%s/index.html" % (self.base, col)

    def nav(self, active):
        def item(c, n):
            return '<div class="menu-item%s"><a href="%s">%s</a></div>' % (" active" if c == active else "", self.col_url(c), n)
        parts = [item(c, n) for c, n in SINGLE[:2]]
        parts.append(item("fdzdgknr", "法定主动公开内容"))
        parts.append('<div class="sub-menu">\n%s\n</div>' % "\n".join(item(c, n) for c, n in COLUMNS))
        parts.append(item("nb", "政府信息公开年报"))
        parts.append(item("ysqgk", "依申请公开"))
        return '<div class="side-menu">\n<div class="side-title">信息公开目录</div>\n%s\n</div>' % "\n".join(parts)

    def page(self, title, crumbs, body, active=None, metas=""):
        crumb = ' &gt; '.join('<a href="%s">%s</a>' % (h, t) if h else '<span>%s</span>' % t for t, h in crumbs)
        return '''<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s - %(name)s</title>
%(metas)s<link rel="stylesheet" href="/static/gkml.css">
</head>
<body>
<div class="top-bar"><div class="wrap"><span>%(name)s</span><div class="search-box"><a href="/search/index.html?siteid=%(id)s">站内搜索</a></div></div></div>
<div class="header"><div class="wrap"><div class="logo">%(name)s · 政府信息公开</div></div></div>
<div class="wrap">
<div class="crumb">当前位置：%(crumb)s</div>
<div class="container">
%(nav)s
<div class="content">
%(body)s
</div>
</div>
</div>
<div class="footer"><div class="wrap">
<div>主办单位：%(name)s　地址：合肥市包河区延安路2号　联系电话：0551-63357001</div>
<div>皖ICP备05002123号-1　网站标识码：3401110001　统一社会信用代码：%(code)s</div>
</div></div>
</body>
</html>
''' % dict(title=title, name=self.name, metas=metas, crumb=crumb, nav=self.nav(active), body=body,
           id=self.id, code=self.code)

    def doc_url(self, d):
        return "%scontent/post_%d.html" % (self.base, d.tid)

    def detail(self, d):
        rows = [("索引号：", "%s/%d-%05d" % (self.code, d.pub.year, d.seq)), ("分类：", d.colname),
                ("发布机构：", self.name), ("成文日期：", d.written), ("名称：", d.title),
                ("文号：", d.docno or "无"), ("发布日期：", d.pub), ("有效性：", d.validity)]
        meta = '<div class="meta-box">\n%s\n</div>' % "\n".join(
            '<div class="meta"><span class="label">%s</span><span class="value">%s</span></div>' % r for r in rows)
        att = ""
        if d.attachment:
            att = '<div class="attachments"><div class="att-title">附件：</div><div class="att"><a href="%s">%s</a></div></div>' % d.attachment
        body = '''<div class="article">
%s
<div class="article-title">%s</div>
<div class="article-sub"><span class="date">发布日期：%s</span><span class="source">来源：%s</span></div>
<div class="article-content">
%s
</div>
%s
</div>''' % (meta, d.title, d.pub, self.name, "\n".join("<p>%s</p>" % p for p in d.body), att)
        metas = '<meta name="ColumnName" content="%s">\n<meta name="PubDate" content="%s 09:30">\n' % (d.colname, d.pub)
        crumbs = [("首页", "/index.html"), ("信息公开", self.base + "index.html"), (d.colname, self.col_url(d.col))]
        return self.doc_url(d), self.page(d.title, crumbs, body, d.col, metas)

    def lists(self, col, colname, docs):
        pages = max(1, (len(docs) + PER_PAGE - 1) // PER_PAGE)

        def href(k):
            return "index.html" if k == 1 else "page-%d.html" % k
        for p in range(1, pages + 1):
            chunk = docs[(p - 1) * PER_PAGE:p * PER_PAGE]
            items = "\n".join('<div class="list-item"><a href="../../content/post_%d.html" title="%s">%s</a>'
                              '<span class="date">%s</span></div>' % (d.tid, d.title, d.title, d.pub) for d in chunk)
            pager = ""
            if pages > 1:
                parts = ['<span class="total">共%d页</span>' % pages]
                parts.append('<a href="%s">上一页</a>' % href(p - 1) if p > 1 else '<span class="disabled">上一页</span>')
                for k in range(1, pages + 1):
                    parts.append('<span class="current">%d</span>' % k if k == p else '<a href="%s">%d</a>' % (href(k), k))
                parts.append('<a href="%s">下一页</a>' % href(p + 1) if p < pages else '<span class="disabled">下一页</span>')
                pager = '<div class="pagination">%s</div>' % " ".join(parts)
            body = '<div class="col-title">%s</div>\n<div class="list">\n%s\n</div>\n%s' % (colname, items, pager)
            crumbs = [("首页", "/index.html"), ("信息公开", self.base + "index.html"), (colname, None)]
            yield ("%scolumn/%s/%s" % (self.base, col, href(p)),
                   self.page(colname, crumbs, body, col, '<meta name="ColumnName" content="%s">\n' % colname))

    def single(self, col, colname, text, updated):
        body = '<div class="col-title">%s</div>\n<div class="article-content">%s</div>\n<div class="update">更新日期：%s</div>' % (
            colname, text, updated)
        crumbs = [("首页", "/index.html"), ("信息公开", self.base + "index.html"), (colname, None)]
        return self.col_url(col), self.page(colname, crumbs, body, col)

    def root(self, newest):
        blocks = []
        for col, colname in COLUMNS[:4]:
            items = "\n".join('<div class="list-item"><a href="content/post_%d.html">%s</a><span class="date">%s</span></div>'
                              % (d.tid, d.title, d.pub) for d in newest[col][:6])
            blocks.append('<div class="home-block"><div class="tit"><a href="column/%s/index.html">%s</a></div>%s</div>'
                          % (col, colname, items))
        crumbs = [("首页", "/index.html"), ("信息公开", None)]
        return self.base + "index.html", self.page("信息公开", crumbs, "\n".join(blocks))

    def fdzdgknr(self):
        items = "\n".join('<div class="list-item"><a href="%s">%s</a></div>' % (self.col_url(c), n) for c, n in COLUMNS)
        crumbs = [("首页", "/index.html"), ("信息公开", self.base + "index.html"), ("法定主动公开内容", None)]
        return self.col_url("fdzdgknr"), self.page("法定主动公开内容", crumbs, '<div class="list">%s</div>' % items, "fdzdgknr")


def build_unit(site, u, n, docs_per_column, files, blobs):
    rng = random.Random(1000 + n)
    tid = 1000
    seq = 0
    newest = {}
    for col, colname in COLUMNS:
        docs = []
        for _ in range(docs_per_column):
            tid += 7
            seq += 1
            d = Doc(rng, u.name, col, colname, seq, tid)
            if seq % 20 == 0:
                folder = u.base + ("%s/%s/" % (col, year_month(d.pub)) if isinstance(u, Trs) and not isinstance(u, Divs)
                                   else "attach/%s/" % year_month(d.pub))
                ext = "pdf" if seq % 40 == 0 else "xlsx"
                href = "%sP0%s%06d.%s" % (folder, d.pub.strftime("%Y%m%d"), tid, ext)
                d.attachment = (href, "%s.%s" % (d.title, ext))
                # Each attachment its own file, as on a real site (the audit keeps attachment text by
                # the hash of the bytes, so identical files would be read once).
                write(site, href, blobs[ext](d, tid), None, files)
            docs.append(d)
        docs.sort(key=lambda d: (d.pub, d.tid), reverse=True)
        newest[col] = docs
        for d in docs:
            rel, html = u.detail(d)
            write(site, rel, html, u.enc, files)
        for rel, html in u.lists(col, colname, docs):
            write(site, rel, html, u.enc, files)
    text = "<p>%s</p><p>%s。</p>" % (SENT[0], SENT[2])
    for col, colname in SINGLE:
        rel, html = u.single(col, colname, text, "2025-06-30")
        write(site, rel, html, u.enc, files)
    # 年报: one page per year, listed in its own column.
    reports = []
    for year in range(2021, 2025):
        tid += 7
        seq += 1
        d = Doc(rng, u.name, "nb", "政府信息公开年报", seq, tid)
        d.pub = dt.date(year + 1, 1, 20)
        d.written = d.pub
        d.title = "%s%d年政府信息公开工作年度报告" % (u.name, year)
        rel, html = u.detail(d)
        write(site, rel, html, u.enc, files)
        reports.append(d)
    reports.sort(key=lambda d: d.pub, reverse=True)
    for rel, html in u.lists("nb", "政府信息公开年报", reports):
        write(site, rel, html, u.enc, files)
    rel, html = u.fdzdgknr()
    write(site, rel, html, u.enc, files)
    rel, html = u.root(newest)
    write(site, rel, html, u.enc, files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--units", type=int, required=True)
    ap.add_argument("--docs-per-column", type=int, default=240)
    args = ap.parse_args()
    site = os.path.join(args.out, "site")
    files = []
    blobs = {
        "pdf": lambda d, tid: L.pdf([d.title, "各社区、各科室：", "现将有关事项通知如下（%d）。" % tid], "通知"),
        "xlsx": lambda d, tid: L.xlsx([["序号", "项目", "金额（万元）"], [1, "一般公共预算支出", 1000 + tid / 10],
                                       [2, "政府性基金支出", 56.0]]),
    }
    units = [Trs(n) if n % 2 == 0 else Divs(n) for n in range(args.units)]
    for n, u in enumerate(units):
        build_unit(site, u, n, args.docs_per_column, files, blobs)
    links = "\n".join('<li><a href="%sindex.html">%s</a></li>' % (u.base, u.name) for u in units)
    portal = '''<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>合肥市包河区人民政府 政府信息公开</title></head>
<body><div class="header">合肥市包河区人民政府</div>
<form action="/search/index.html" method="get"><input type="text" name="q"><input type="submit" value="搜索"></form>
<div class="units"><div class="tit">政府信息公开专栏</div><ul>
%s
</ul></div></body></html>
''' % links
    write(site, "/index.html", portal, "utf-8", files)
    write(site, "/static/xxgk.css", "body{font-size:14px}.xxgk-list li{line-height:30px}\n", "utf-8", files)
    write(site, "/static/gkml.css", "body{font-size:14px}.list-item{line-height:30px}\n", "utf-8", files)
    robots = "User-agent: *\nDisallow: /search/\n"
    with open(os.path.join(site, "robots.txt"), "w") as f:
        f.write(robots)
    os.makedirs(os.path.join(site, "search"), exist_ok=True)
    with open(os.path.join(site, "search", "index.html"), "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>站内搜索</title></head><body>搜索结果</body></html>\n')
    manifest = {
        "units": [{"id": u.id, "name": u.name, "kind": u.kind, "cms": u.cms, "root": u.base} for u in units],
        "files": sorted(files),
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False)
    print("generated %d files for %d units in %s" % (len(files), len(units), site))


if __name__ == "__main__":
    main()
