#!/bin/sh
# Builds the seed corpus of every fuzz target, fuzz/corpus/TARGET/, from the project's fixtures.
# Run from anywhere; needs python3 (to turn fixture HTML into lines and to unpack the XLSX fixture) and
# uses pdftotext (poppler-utils) when it is installed. Existing corpus files are kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
cd "$root"
for t in page_facts plain_html dates metadata checks_yaml units_yaml attachments annual_text; do
    mkdir -p "$corpus/$t"
done
name() { printf '%s' "$1" | tr '/' '_'; }

# page_facts: every fixture page, as body bytes behind the two selector bytes (no Content-Type, URL 0),
# and the GBK ones once more behind a header that names GBK.
git ls-files 'fixtures/*.html' 'fixtures/*.htm' 'fixtures/*.shtml' | while read -r f; do
    { printf '\000\000'; cat "$f"; } > "$corpus/page_facts/$(name "$f")"
    if grep -qiE 'charset="?(gbk|gb2312|gb18030)' "$f"; then
        { printf '\003\001'; cat "$f"; } > "$corpus/page_facts/gbk-$(name "$f")"
    fi
done

# plain_html: the fixture pages as UTF-8 text (the GBK ones converted).
git ls-files 'fixtures/*.html' 'fixtures/*.htm' 'fixtures/*.shtml' | while read -r f; do
    iconv -f utf-8 -t utf-8 "$f" > "$corpus/plain_html/$(name "$f")" 2>/dev/null \
        || iconv -f gb18030 -t utf-8 "$f" > "$corpus/plain_html/$(name "$f")" 2>/dev/null || true
done

# checks_yaml: the shipped check declarations and rubric; units_yaml: the units files of the fixtures.
git ls-files 'checks/*.yaml' | while read -r f; do cp "$f" "$corpus/checks_yaml/$(name "$f")"; done
git ls-files 'fixtures/*units.yaml' 'fixtures/*/demo.yaml' | while read -r f; do
    cp "$f" "$corpus/units_yaml/$(name "$f")"
done

# dates: the formats the parser documents, and date-like distractors.
i=0
for d in '2021-11-15' '2021/11/15' '2021.11.15' '2021年11月15日' '二〇二一年十一月十五日' '２０２１－１１－１５' \
    '[2024-03-05]' '（2023年1月9日 09:30:00）' '发布时间：2025-01-20 10:12' '2021-02-30' '1999年12月31日' \
    '〇〇一二年三月一日' '2020 年 2 月 29 日' '日期：2019.7.1' '２０２０年１２月０１日更新'; do
    i=$((i + 1))
    printf '%s' "$d" > "$corpus/dates/d$i"
done

# metadata and annual_text: the fixture pages as the lines a reader sees (cells of a row joined by tabs,
# as the DOCX reader writes them); the 年报 pages also as pdftotext-like layout text (padded cells).
python3 - "$corpus" $(git ls-files 'fixtures/*.html') <<'PY'
import html.parser, os, sys
corpus, files = sys.argv[1], sys.argv[2:]
BLOCK = {"p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "dt", "dd", "h1", "h2", "h3", "h4", "br",
         "section", "article", "header", "footer", "title"}
class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.cells, self.buf, self.skip = [], None, "", 0
    def flush(self):
        t = " ".join(self.buf.split())
        self.buf = ""
        if self.cells is not None:
            self.cells.append(t)
        elif t:
            self.rows.append([t])
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "tr":
            self.flush(); self.cells = []
        elif tag in BLOCK:
            if self.cells is not None and tag not in ("td", "th"):
                return
            self.flush()
    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "tr" and self.cells is not None:
            self.flush()
            if any(self.cells):
                self.rows.append(self.cells)
            self.cells = None
        elif tag in ("td", "th") and self.cells is not None:
            self.flush()
        elif tag in BLOCK and self.cells is None:
            self.flush()
    def handle_data(self, d):
        if not self.skip:
            self.buf += d
for f in files:
    raw = open(f, "rb").read()
    text = None
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc); break
        except UnicodeDecodeError:
            pass
    if text is None:
        continue
    p = Rows(); p.feed(text); p.close(); p.flush()
    name = f.replace("/", "_")
    tabbed = "\n".join("\t".join(r) for r in p.rows) + "\n"
    if any(k in text for k in ("索引号", "发布机构", "成文日期", "发文字号", "发布日期")):
        open(os.path.join(corpus, "metadata", name + ".txt"), "w").write(tabbed)
    if "本年新收" in text or "年度报告" in text:
        title = next((r[0] for r in p.rows if "年度报告" in r[0]), "")
        open(os.path.join(corpus, "annual_text", name + ".tabs.txt"), "w").write(title + "\n" + tabbed)
        def pad(r):
            if len(r) == 1:
                return r[0]
            return f"{r[0]:<40}" + "".join(f"{c:>8}" for c in r[1:])
        layout = "\n".join(pad(r) for r in p.rows) + "\n"
        open(os.path.join(corpus, "annual_text", name + ".layout.txt"), "w").write(title + "\n" + layout)
PY

# annual_text: real pdftotext output of the fixture PDFs, when poppler is installed.
if command -v pdftotext > /dev/null; then
    git ls-files 'fixtures/*.pdf' | while read -r f; do
        { basename "$f"; pdftotext -layout "$f" -; } > "$corpus/annual_text/$(name "$f").txt" || true
    done
fi

# attachments: the XLSX fixture as downloaded (mode 0) and as its XML (mode 2), a DOCX document body
# (mode 1) and an OFD page (mode 3); the last two are also packed as files, for mode 0.
xml_docx='<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>包公街道2024年政府信息公开工作年度报告</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">一、总体情况 </w:t></w:r><w:r><w:tab/><w:t>&amp;&#x4E2D;&#20013;</w:t></w:r><w:r><w:br/></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>一、本年新收政府信息公开申请数量</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>'
xml_ofd='<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="2">
<ofd:TextObject ID="3" Boundary="20 20 100 10" Font="4" Size="4"><ofd:TextCode X="0" Y="4">关于印发&lt;通知&gt;的通知</ofd:TextCode></ofd:TextObject>
<ofd:TextObject ID="5" Boundary="20 40 100 10" Font="4" Size="4"><ofd:TextCode X="0" Y="4">联系电话：0551-12345678</ofd:TextCode></ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>'
{ printf '\001'; printf '%s' "$xml_docx"; } > "$corpus/attachments/docx-document.xml"
{ printf '\003'; printf '%s' "$xml_ofd"; } > "$corpus/attachments/ofd-content.xml"
python3 - "$corpus/attachments" "$xml_docx" "$xml_ofd" $(git ls-files 'fixtures/*.xlsx') <<'PY'
import io, os, sys, zipfile
out, docx, ofd, xlsx = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def pack(name, entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, body in entries:
            z.writestr(n, body)
    open(os.path.join(out, name), "wb").write(b"\0" + b.getvalue())
pack("docx-file", [("[Content_Types].xml", "<Types/>"), ("word/document.xml", docx)])
pack("ofd-file", [("OFD.xml", "<ofd:OFD/>"), ("Doc_0/Pages/Page_0/Content.xml", ofd)])
for f in xlsx:
    name = f.replace("/", "_")
    raw = open(f, "rb").read()
    open(os.path.join(out, name), "wb").write(b"\0" + raw)
    z = zipfile.ZipFile(io.BytesIO(raw))
    names = z.namelist()
    shared = z.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
    sheet = z.read("xl/worksheets/sheet1.xml") if "xl/worksheets/sheet1.xml" in names else b""
    open(os.path.join(out, name + ".xml"), "wb").write(b"\2" + shared + b"\0" + sheet)
PY

for t in "$corpus"/*; do
    printf '%-12s %4d files %8d bytes\n' "$(basename "$t")" "$(ls "$t" | wc -l)" "$(cat "$t"/* | wc -c)"
done
