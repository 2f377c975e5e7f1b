//! `interpretation-formats`: 政策解读 in varied forms, each tied to the policy it interprets and
//! published with it; policies left without any 解读 are named.
//!
//! **What it checks.** 政策解读 are the entries of the 政策解读 column (found by name and synonyms) plus
//! any document whose title contains a 解读 word (解读, 图解, 一图读懂, 视频解读, 动漫, H5, 问答), except
//! titles with an `exclude_title_words` word (the 政策解读制度 is not a 解读). Each is classified by form:
//! 视频 needs a real player, `<video>` or a linked media file on its page; 图解 a content image (not a logo
//! or icon); 动画/H5 an embedded player or picture; 问答 a 问答 / 答记者问 title; 文字 otherwise. When the
//! page could not be read, the title alone decides. Each 解读 is then tied to the document it interprets:
//! a link on its page to a document of the unit, else a shared 《name》 in the titles. Its timing is the
//! number of working days (official calendar) from that document's publication to its own; at most
//! `max_working_days` is on time. The policy documents are the entries of `policy_columns` whose title
//! has a `policy_title_words` word (印发, 办法, 方案 …). Credit is the mean of three parts: variety (distinct
//! forms over `target_forms`), coverage (policy documents with a 解读 over all of them) and timeliness
//! (tied 解读 on time over all tied 解读); a part with nothing to judge is left out.
//!
//! **Why.** Rubric item common-25 asks for 解读 "采用图片、图表、视频、动画等群众喜闻乐见的形式" and deep 解读
//! of each policy; 国办发〔2016〕80号 asks that 解读 be published with the policy (同步). The 3 working days
//! default is local practice (unverified) and a parameter.
//!
//! **Passes.** (target 3) a 文字, an 一图读懂 with its picture and a 视频解读 with a player, each linking its
//! document and published the same day, every 规范性文件 covered.
//!
//! **Fails.** No 解读 at all (the policies are listed); partial: text only, a 解读 30 working days late, a
//! 办法 nobody interpreted.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::doc_match::{book_names, doc_date, unit_docs};
use super::{ColumnSpec, Context, Verdict, finding};
use crate::calendar::Calendar;
use crate::extract::PageFacts;
use crate::findings::{Evidence, Finding, Status};
use crate::site::{TitledDoc, UnitSite, canonical_url};

/// A form of 政策解读.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Form {
    /// Plain text.
    Text,
    /// Pictures, charts (图解, 一图读懂).
    Graphic,
    /// Video.
    Video,
    /// Animation, H5.
    Animation,
    /// Questions and answers.
    Qa,
}

impl Form {
    /// The form's Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Form::Text => "文字",
            Form::Graphic => "图解",
            Form::Video => "视频",
            Form::Animation => "动画/H5",
            Form::Qa => "问答",
        }
    }
}

/// Parameters of `interpretation-formats`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The 政策解读 column.
    pub column: ColumnSpec,
    /// Title words that make any document a 解读.
    #[serde(default = "default_title_words")]
    pub title_words: Vec<String>,
    /// Distinct forms for full credit.
    #[serde(default = "default_target")]
    pub target_forms: usize,
    /// Titles with one of these are not 解读 (政策解读制度, 解读工作机制).
    #[serde(default = "default_exclude")]
    pub exclude_title_words: Vec<String>,
    /// Columns holding the policy documents that need a 解读.
    #[serde(default = "default_policy_columns")]
    pub policy_columns: Vec<ColumnSpec>,
    /// A policy column's entry needs a 解读 when its title has one of these.
    #[serde(default = "default_policy_words")]
    pub policy_title_words: Vec<String>,
    /// Most working days from the document's publication to its 解读's.
    #[serde(default = "default_max_days")]
    pub max_working_days: u32,
}

fn default_exclude() -> Vec<String> {
    ["解读制度", "解读工作制度", "解读工作机制", "解读机制", "解读回应制度", "解读工作实施"]
        .map(String::from)
        .to_vec()
}

fn default_policy_columns() -> Vec<ColumnSpec> {
    vec![
        ColumnSpec { name: "规范性文件".into(), synonyms: vec!["行政规范性文件".into()] },
        ColumnSpec {
            name: "政策文件".into(),
            synonyms: ["政府文件", "部门文件", "政策法规", "文件资料"].map(String::from).to_vec(),
        },
    ]
}

fn default_policy_words() -> Vec<String> {
    ["印发", "办法", "规定", "细则", "意见", "方案", "措施", "规划", "条例", "实施"]
        .map(String::from)
        .to_vec()
}

fn default_max_days() -> u32 {
    3
}

fn default_title_words() -> Vec<String> {
    ["解读", "图解", "一图读懂", "一图看懂", "图说", "视频解读", "动漫", "H5", "问答", "答记者问"]
        .map(String::from)
        .to_vec()
}

fn default_target() -> usize {
    3
}

impl Params {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.target_forms == 0 || self.target_forms > 5 {
            return Err("`target_forms` must be between 1 and 5".into());
        }
        Ok(())
    }
}

const VIDEO_EXTENSIONS: &[&str] = &[".mp4", ".flv", ".m3u8", ".webm", ".mov", ".avi", ".wmv"];

/// Whether a read page plays a video: a `<video>`, an embedded player, or a link to a media file.
fn plays_video(f: &PageFacts) -> bool {
    let video_link = f.links.iter().any(|l| {
        let u = l.url.to_ascii_lowercase();
        VIDEO_EXTENSIONS.iter().any(|x| u.split(['?', '#']).next().is_some_and(|p| p.ends_with(x)))
    });
    f.media.videos > 0 || f.media.embeds > 0 || video_link
}

/// Classifies one 解读 by its title and, when fetched, its page. A title that promises a video, a
/// picture or an animation is believed only when the page (if read) carries one.
pub fn classify(title: &str, page: Option<&PageFacts>) -> Form {
    let upper = title.to_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| upper.contains(w));
    if has(&["视频", "微视频", "音视频"]) && page.is_none_or(plays_video) {
        return Form::Video;
    }
    if has(&["动画", "动漫", "H5"])
        && page.is_none_or(|f| f.media.embeds > 0 || f.media.images > 0 || plays_video(f))
    {
        return Form::Animation;
    }
    if has(&["图解", "一图读懂", "一图看懂", "图说", "图表解读", "长图"])
        && page.is_none_or(|f| f.media.images > 0)
    {
        return Form::Graphic;
    }
    if page.is_some_and(plays_video) {
        return Form::Video;
    }
    if has(&["问答", "答记者问", "问与答", "百问"]) {
        return Form::Qa;
    }
    if let Some(f) = page {
        let text_len = f.text.chars().filter(|c| !c.is_whitespace()).count();
        if f.media.images >= 3 || (f.media.images >= 1 && text_len < 300) {
            return Form::Graphic;
        }
    }
    Form::Text
}

/// One 解读 and what it was tied to.
struct Interpretation {
    doc: TitledDoc,
    form: Form,
    /// The document it interprets.
    target: Option<TitledDoc>,
    /// Working days from the document's publication to the 解读's (0 when published the same day or before).
    lag: Option<u32>,
}

fn has_any(s: &str, words: &[String]) -> bool {
    let s = s.to_uppercase();
    words.iter().any(|w| !w.is_empty() && s.contains(&w.to_uppercase()))
}

/// The 解读 of the unit: the 政策解读 column's entries and documents titled as 解读.
fn interpretations(p: &Params, site: &UnitSite) -> Vec<TitledDoc> {
    let mut docs: Vec<TitledDoc> = Vec::new();
    if let Some(c) = p.column.find(site) {
        for e in &c.entries {
            docs.push(TitledDoc {
                title: e.title.clone(),
                url: e.url.clone(),
                seen_on: c.url.clone(),
                date: e.date,
            });
        }
    }
    for d in site.titled_docs() {
        if has_any(&d.title, &p.title_words)
            && !docs.iter().any(|x| canonical_url(&x.url) == canonical_url(&d.url))
        {
            docs.push(d.clone());
        }
    }
    docs.retain(|d| !has_any(&d.title, &p.exclude_title_words));
    docs
}

/// The policy documents that need a 解读: entries of the policy columns with a policy word.
fn policies(p: &Params, site: &UnitSite, interp: &[TitledDoc]) -> Vec<TitledDoc> {
    let mut out: Vec<TitledDoc> = Vec::new();
    for spec in &p.policy_columns {
        let Some(c) = spec.find(site) else { continue };
        for e in &c.entries {
            let d = TitledDoc {
                title: e.title.clone(),
                url: e.url.clone(),
                seen_on: c.url.clone(),
                date: e.date,
            };
            let known = out.iter().chain(interp).any(|x| canonical_url(&x.url) == canonical_url(&d.url));
            if !known && has_any(&d.title, &p.policy_title_words) && !has_any(&d.title, &p.title_words) {
                out.push(d);
            }
        }
    }
    out
}

/// The document a 解读 interprets, most trusted first: a linked policy document, a policy document with
/// the same 《name》, any other linked document of the unit, any other document with the same 《name》.
/// (A 解读 page may also link unrelated "related articles"; a policy link outranks them.)
fn target_of(
    site: &UnitSite,
    jd: &TitledDoc,
    by_url: &HashMap<&str, (bool, &TitledDoc)>,
    policies: &[TitledDoc],
    others: &[TitledDoc],
) -> Option<TitledDoc> {
    let own = canonical_url(&jd.url);
    let links: Vec<&str> = site
        .page(&jd.url)
        .and_then(|pg| pg.facts.as_ref())
        .map(|f| f.links.iter().map(|l| canonical_url(&l.url)).filter(|u| *u != own).collect())
        .unwrap_or_default();
    let linked = |policy: bool| {
        links.iter().find_map(|u| by_url.get(u).filter(|(p, _)| *p == policy).map(|(_, d)| (*d).clone()))
    };
    // `same_book(&jd.title, &d.title)`, with the 解读's own names read once.
    let jd_books = book_names(&jd.title);
    let named = |docs: &[TitledDoc]| {
        if jd_books.is_empty() {
            return None;
        }
        docs.iter()
            .find(|d| {
                canonical_url(&d.url) != own
                    && d.title.contains('《')
                    && book_names(&d.title).iter().any(|n| jd_books.contains(n))
            })
            .cloned()
    };
    linked(true).or_else(|| named(policies)).or_else(|| linked(false)).or_else(|| named(others))
}

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let col = p.column.find(site);
    let docs = interpretations(p, site);
    let policy = policies(p, site, &docs);
    let others: Vec<TitledDoc> = {
        let interpretations: HashSet<&str> = docs.iter().map(|x| canonical_url(&x.url)).collect();
        unit_docs(site).into_iter().filter(|d| !interpretations.contains(canonical_url(&d.url))).collect()
    };
    // Policy documents win: a URL known as both is tied as a policy.
    let mut by_url: HashMap<&str, (bool, &TitledDoc)> = HashMap::new();
    for d in &others {
        by_url.insert(canonical_url(&d.url), (false, d));
    }
    for d in &policy {
        by_url.insert(canonical_url(&d.url), (true, d));
    }
    let calendar = Calendar::official();
    let list: Vec<Interpretation> = docs
        .into_iter()
        .map(|doc| {
            let page = site.page(&doc.url).and_then(|pg| pg.facts.as_ref());
            let form = classify(&doc.title, page);
            let target = target_of(site, &doc, &by_url, &policy, &others);
            let lag = target.as_ref().and_then(|t| {
                let (from, to) = (doc_date(site, t)?, doc_date(site, &doc)?);
                if to <= from { Some(0) } else { calendar.working_days_between(from, to).ok() }
            });
            Interpretation { doc, form, target, lag }
        })
        .collect();
    let targets: HashSet<&str> =
        list.iter().filter_map(|i| i.target.as_ref()).map(|t| canonical_url(&t.url)).collect();
    let uncovered: Vec<&TitledDoc> =
        policy.iter().filter(|d| !targets.contains(canonical_url(&d.url))).collect();
    let mut findings: Vec<Finding> = Vec::new();
    if !uncovered.is_empty() {
        let names: Vec<String> = uncovered.iter().take(10).map(|d| format!("《{}》", d.title)).collect();
        let evidence: Vec<Evidence> = uncovered
            .iter()
            .take(10)
            .flat_map(|d| site.doc_evidence(d, &format!("未见解读：{}", d.title)))
            .collect();
        findings.push(finding(
            id,
            Status::Fail,
            format!(
                "{}件政策文件未见任何解读（共{}件政策文件）：{}{}",
                uncovered.len(),
                policy.len(),
                names.join("、"),
                if uncovered.len() > 10 { "等" } else { "" }
            ),
            evidence,
        ));
    }
    if list.is_empty() {
        let evidence: Vec<Evidence> = match col.and_then(|c| site.evidence(&c.url, &c.name)) {
            Some(e) => vec![e],
            None => site.root_evidence("在专栏中查找政策解读"),
        };
        findings.insert(0, finding(id, Status::Fail, "未找到任何政策解读", evidence));
        return Verdict::scored(0.0, findings);
    }
    let mut by_form: BTreeMap<Form, Vec<&TitledDoc>> = BTreeMap::new();
    for i in &list {
        by_form.entry(i.form).or_default().push(&i.doc);
    }
    for (form, docs) in &by_form {
        let evidence: Vec<Evidence> = docs
            .iter()
            .take(3)
            .flat_map(|d| site.doc_evidence(d, &format!("{}：{}", form.label_zh(), d.title)))
            .collect();
        findings.push(finding(
            id,
            Status::Pass,
            format!("{}形式解读{}篇，如《{}》", form.label_zh(), docs.len(), docs[0].title),
            evidence,
        ));
    }
    let forms: Vec<&str> = by_form.keys().map(|f| f.label_zh()).collect();
    let variety = (by_form.len() as f64 / p.target_forms as f64).min(1.0);
    if by_form.len() < p.target_forms {
        let evidence = findings
            .iter()
            .filter(|f| f.status == Status::Pass)
            .flat_map(|f| f.evidence.iter().take(1).cloned())
            .collect();
        findings.push(finding(
            id,
            Status::Partial,
            format!(
                "政策解读共{}篇，形式仅有{}（{}种），未达到{}种；建议增加图解、视频、动画/H5等多样化解读",
                list.len(),
                forms.join("、"),
                by_form.len(),
                p.target_forms
            ),
            evidence,
        ));
    }
    // Ties and timing.
    let untied: Vec<&Interpretation> = list.iter().filter(|i| i.target.is_none()).collect();
    if !untied.is_empty() {
        let names: Vec<String> = untied.iter().take(10).map(|i| format!("《{}》", i.doc.title)).collect();
        let evidence = untied.iter().take(10).flat_map(|i| site.doc_evidence(&i.doc, &i.doc.title)).collect();
        findings.push(finding(
            id,
            Status::Partial,
            format!(
                "{}篇解读未关联到所解读的文件（页面无原文链接，标题也无相同文件名）：{}",
                untied.len(),
                names.join("、")
            ),
            evidence,
        ));
    }
    let (mut on_time, mut timed) = (0usize, 0usize);
    for i in &list {
        let (Some(t), Some(lag)) = (&i.target, i.lag) else { continue };
        timed += 1;
        let mut evidence = site.doc_evidence(&i.doc, &i.doc.title);
        evidence.extend(site.doc_evidence(t, &t.title));
        let (jd_date, t_date) = (doc_date(site, &i.doc), doc_date(site, t));
        let dates = format!(
            "解读《{}》发布于{}，所解读文件《{}》发布于{}",
            i.doc.title,
            jd_date.map_or("（日期不明）".into(), |d| d.to_string()),
            t.title,
            t_date.map_or("（日期不明）".into(), |d| d.to_string())
        );
        if lag <= p.max_working_days {
            on_time += 1;
            let when = if lag == 0 { "同日发布".to_string() } else { format!("相隔{lag}个工作日") };
            findings.push(finding(id, Status::Pass, format!("{dates}，{when}"), evidence));
        } else {
            findings.push(finding(
                id,
                Status::Fail,
                format!("{dates}，相隔{lag}个工作日，超过{}个工作日，未与文件同步解读", p.max_working_days),
                evidence,
            ));
        }
    }
    let mut parts = vec![variety];
    if !policy.is_empty() {
        parts.push((policy.len() - uncovered.len()) as f64 / policy.len() as f64);
    }
    if timed > 0 {
        parts.push(on_time as f64 / timed as f64);
    } else if untied.len() == list.len() {
        // No 解读 could be tied to a document: none can be shown to be timely.
        parts.push(0.0);
    }
    // Tied 解读 whose dates are unknown, or outside the calendar's years, leave timeliness unjudged.
    let undated: Vec<&Interpretation> =
        list.iter().filter(|i| i.target.is_some() && i.lag.is_none()).collect();
    if !undated.is_empty() {
        let evidence = undated.iter().take(5).flat_map(|i| site.doc_evidence(&i.doc, &i.doc.title)).collect();
        findings.push(finding(
            id,
            Status::Manual,
            format!(
                "{}篇解读或其文件缺少发布日期（或日期超出工作日历覆盖的年份），未判定是否同步发布，需人工核实",
                undated.len()
            ),
            evidence,
        ));
    }
    let credit = parts.iter().sum::<f64>() / parts.len() as f64;
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::{Link, Media};

    const ROOT: &str = "http://gov.test/xxgk/";
    const COL: &str = "http://gov.test/xxgk/zcjd/";

    #[test]
    fn classification_table() {
        let mut video_page = facts_doc("u", "t", "正文");
        video_page.media = Media { images: 0, videos: 1, embeds: 0 };
        let mut linked = facts_doc("u", "t", "正文");
        linked.links.push(Link { text: "播放".into(), url: "http://v.test/a.MP4?x=1".into() });
        let mut pictures = facts_doc("u", "t", "短");
        pictures.media = Media { images: 1, videos: 0, embeds: 0 };
        let cases = [
            ("关于印发某办法的政策解读", None, Form::Text),
            ("一图读懂：2021年惠民政策", None, Form::Graphic),
            ("视频解读｜养老服务补贴", None, Form::Video),
            ("H5：带你了解低保", None, Form::Animation),
            ("医保新政问答", None, Form::Qa),
            ("政策解读", Some(&video_page), Form::Video),
            ("政策解读", Some(&linked), Form::Video),
            ("政策解读", Some(&pictures), Form::Graphic),
            ("视频解读｜养老服务补贴", Some(&pictures), Form::Graphic),
            ("一图读懂：惠民政策", Some(&facts_doc("u", "t", &"文字".repeat(200))), Form::Text),
        ];
        for (title, page, want) in cases {
            assert_eq!(classify(title, page), want, "{title}");
        }
    }

    const POL: &str = "http://gov.test/xxgk/zcwj/";
    const A: &str = "http://gov.test/xxgk/zcwj/a.html";
    const B: &str = "http://gov.test/xxgk/zcwj/b.html";
    const TA: &str = "关于印发《某街道临时救助实施细则》的通知";
    const TB: &str = "关于印发《某街道公共收益管理办法》的通知";

    fn params() -> Params {
        Params {
            column: ColumnSpec { name: "政策解读".into(), synonyms: vec!["解读回应".into()] },
            title_words: default_title_words(),
            target_forms: 3,
            exclude_title_words: default_exclude(),
            policy_columns: default_policy_columns(),
            policy_title_words: default_policy_words(),
            max_working_days: 3,
        }
    }

    /// A 解读 page: title, date, what it shows, the URL it links.
    struct Jd {
        title: &'static str,
        date: &'static str,
        media: Media,
        link: Option<&'static str>,
    }

    fn jd(title: &'static str, date: &'static str, link: Option<&'static str>) -> Jd {
        Jd { title, date, media: Media::default(), link }
    }

    fn site(jds: Vec<Jd>) -> crate::site::UnitSite {
        let mut b =
            SiteBuilder::new(ROOT).page(ROOT, facts_nav(ROOT, &[("政策文件", POL), ("政策解读", COL)])).page(
                POL,
                facts_list(
                    POL,
                    vec![
                        entry(TA, A, Some("2021-05-06")),
                        entry(TB, B, Some("2021-06-01")),
                        entry(
                            "关于开展安全检查的通知",
                            "http://gov.test/xxgk/zcwj/c.html",
                            Some("2021-06-02"),
                        ),
                    ],
                    &[],
                ),
            );
        for (u, t, date) in [(A, TA, "2021-05-06"), (B, TB, "2021-06-01")] {
            let mut f = facts_doc(u, t, "正文");
            f.publish_date = Some(d(date));
            b = b.page(u, f);
        }
        let mut entries = Vec::new();
        for (n, j) in jds.iter().enumerate() {
            let url = format!("http://gov.test/xxgk/zcjd/{n}.html");
            entries.push(entry(j.title, &url, Some(j.date)));
            let mut f = facts_doc(&url, j.title, &"解读正文".repeat(100));
            f.publish_date = Some(d(j.date));
            f.media = j.media;
            if let Some(l) = j.link {
                f.links.push(Link { text: "原文".into(), url: l.into() });
            }
            b = b.page(&url, f);
        }
        b.page(COL, facts_list(COL, entries, &[])).build()
    }

    #[test]
    fn variety_coverage_and_timeliness() {
        let video = Media { images: 0, videos: 1, embeds: 0 };
        let picture = Media { images: 1, videos: 0, embeds: 0 };
        let with = |mut j: Jd, m: Media| {
            j.media = m;
            j
        };
        // (name, 解读, status, credit, uncovered policies named, a late 解读 named)
        type Case<'a> = (&'a str, Vec<Jd>, Status, f64, &'a [&'a str], bool);
        let cases: Vec<Case> = vec![
            ("none", vec![], Status::Fail, 0.0, &["临时救助", "公共收益"], false),
            (
                "text only, one policy",
                vec![jd("《某街道临时救助实施细则》政策解读", "2021-05-06", Some(A))],
                Status::Partial,
                (1.0 / 3.0 + 0.5 + 1.0) / 3.0,
                &["公共收益"],
                false,
            ),
            (
                "three forms, both policies, on time",
                vec![
                    jd("《某街道临时救助实施细则》政策解读", "2021-05-06", Some(A)),
                    with(jd("一图读懂《某街道公共收益管理办法》", "2021-06-02", None), picture),
                    with(jd("视频解读：临时救助怎么申请", "2021-05-07", Some(A)), video),
                ],
                Status::Pass,
                1.0,
                &[],
                false,
            ),
            (
                "late by ten working days",
                vec![jd("《某街道临时救助实施细则》政策解读", "2021-05-19", Some(A))],
                Status::Partial,
                (1.0 / 3.0 + 0.5 + 0.0) / 3.0,
                &["公共收益"],
                true,
            ),
            (
                "a promised video without a player is text; the 解读制度 is no 解读",
                vec![
                    jd("《某街道临时救助实施细则》政策解读", "2021-05-06", Some(A)),
                    jd("视频解读《某街道公共收益管理办法》", "2021-06-01", None),
                    jd("某街道政策解读制度", "2021-06-01", None),
                ],
                Status::Partial,
                (1.0 / 3.0 + 1.0 + 1.0) / 3.0,
                &[],
                false,
            ),
        ];
        for (name, jds, want, credit, uncovered, late) in cases {
            let s = site(jds);
            let v = run("i", &params(), &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:#?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}: {:?} {v:#?}", v.credit);
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
            let missing = v.findings.iter().find(|f| f.message.contains("未见任何解读"));
            for u in uncovered {
                assert!(missing.is_some_and(|f| f.message.contains(u)), "{name}: {u} not named: {v:#?}");
            }
            assert_eq!(uncovered.is_empty(), missing.is_none(), "{name}: {v:#?}");
            assert!(
                !v.findings.iter().any(|f| f.message.contains("安全检查")),
                "{name}: a notice needs no 解读"
            );
            let late_named =
                v.findings.iter().any(|f| f.status == Status::Fail && f.message.contains("相隔10个工作日"));
            assert_eq!(late_named, late, "{name}: {v:#?}");
        }
    }

    #[test]
    fn a_policy_link_outranks_a_related_article_link() {
        let news = "http://gov.test/xxgk/gzdt/n.html";
        let jd_url = "http://gov.test/xxgk/zcjd/9.html";
        let mut jd = facts_doc(jd_url, "政策解读", &"解读正文".repeat(100));
        jd.publish_date = Some(d("2021-06-01"));
        for u in [news, B] {
            jd.links.push(Link { text: "链接".into(), url: u.into() });
        }
        let mut b_page = facts_doc(B, TB, "正文");
        b_page.publish_date = Some(d("2021-06-01"));
        let mut n_page = facts_doc(news, "某街道召开工作会议", "正文");
        n_page.publish_date = Some(d("2021-05-01"));
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政策文件", POL), ("政策解读", COL)]))
            .page(POL, facts_list(POL, vec![entry(TB, B, Some("2021-06-01"))], &[]))
            .page(COL, facts_list(COL, vec![entry("政策解读", jd_url, Some("2021-06-01"))], &[]))
            .page(B, b_page)
            .page(news, n_page)
            .page(jd_url, jd)
            .build();
        let v = run("i", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        assert!(
            v.findings.iter().any(|f| f.status == Status::Pass
                && f.message.contains(TB)
                && f.message.contains("同日发布")),
            "{v:#?}"
        );
        assert!(!v.findings.iter().any(|f| f.message.contains("未见任何解读")), "{v:#?}");
    }

    #[test]
    fn an_undated_tie_leaves_timeliness_to_a_person() {
        let jd_url = "http://gov.test/xxgk/zcjd/7.html";
        let mut jd = facts_doc(jd_url, "《某街道临时救助实施细则》政策解读", &"解读正文".repeat(100));
        jd.links.push(Link { text: "原文".into(), url: A.into() });
        let mut a = facts_doc(A, TA, "正文");
        a.publish_date = Some(d("2021-05-06"));
        let s = SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政策文件", POL), ("政策解读", COL)]))
            .page(POL, facts_list(POL, vec![entry(TA, A, Some("2021-05-06"))], &[]))
            .page(COL, facts_list(COL, vec![entry("《某街道临时救助实施细则》政策解读", jd_url, None)], &[]))
            .page(A, a)
            .page(jd_url, jd)
            .build();
        let v = run("i", &params(), &Context { site: &s, as_of: d("2021-11-25") });
        assert!(
            v.findings.iter().any(|f| f.status == Status::Manual && f.message.contains("缺少发布日期")),
            "{v:#?}"
        );
        // Variety 1/3 and coverage 1/1; timeliness is not counted against the unit.
        assert!((v.credit.unwrap() - (1.0 / 3.0 + 1.0) / 2.0).abs() < 1e-9, "{v:#?}");
    }
}
