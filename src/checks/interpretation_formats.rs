//! `interpretation-formats`: 政策解读 come in varied forms (文字, 图解, 视频, 动画/H5, 问答).
//!
//! **What it checks.** 政策解读 are the entries of the 政策解读 column (found by name and synonyms) plus
//! any document whose title contains a 解读 word (解读, 图解, 一图读懂, 视频解读, 动漫, H5, 问答). Each is
//! classified: 视频 when its title says so or its page holds a video or player (or links a video file);
//! 动画/H5 when its title says 动画 / 动漫 / H5; 图解 when its title says 图解 / 一图读懂 / 图说 or its page is
//! mainly images; 问答 when its title says 问答 / 答记者问; 文字 otherwise. Credit is the number of distinct
//! forms over `target_forms` (at most 1).
//!
//! **Why.** Rubric item common-25 asks for 解读 in 图表图解, 音频视频, 动漫 and similar forms;
//! 国办发〔2016〕80号 calls for 多元化 解读.
//!
//! **Passes.** (target 3) “关于…的政策解读”, “一图读懂…”, “视频解读：…”.
//!
//! **Fails.** No 解读 at all; (partial) only text 解读 → credit 1/3.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ColumnSpec, Context, Verdict, finding};
use crate::extract::PageFacts;
use crate::findings::{Evidence, Status};
use crate::site::TitledDoc;

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

/// Classifies one 解读 by its title and, when fetched, its page.
pub fn classify(title: &str, page: Option<&PageFacts>) -> Form {
    let upper = title.to_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| upper.contains(w));
    if has(&["视频", "微视频", "音视频"]) {
        return Form::Video;
    }
    if has(&["动画", "动漫", "H5"]) {
        return Form::Animation;
    }
    if has(&["图解", "一图读懂", "一图看懂", "图说", "图表解读", "长图"]) {
        return Form::Graphic;
    }
    if let Some(f) = page {
        let video_link = f.links.iter().any(|l| {
            let u = l.url.to_ascii_lowercase();
            VIDEO_EXTENSIONS.iter().any(|x| u.split('?').next().is_some_and(|p| p.ends_with(x)))
        });
        if f.media.videos > 0 || f.media.embeds > 0 || video_link {
            return Form::Video;
        }
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

/// Runs the check.
pub fn run(id: &str, p: &Params, ctx: &Context<'_>) -> Verdict {
    let site = ctx.site;
    let col = p.column.find(site);
    let mut docs: Vec<TitledDoc> = Vec::new();
    if let Some(c) = col {
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
        if p.title_words.iter().any(|w| d.title.to_uppercase().contains(&w.to_uppercase()))
            && !docs.iter().any(|x| x.url == d.url)
        {
            docs.push(d);
        }
    }
    if docs.is_empty() {
        let evidence: Vec<Evidence> = match col.and_then(|c| site.evidence(&c.url, &c.name)) {
            Some(e) => vec![e],
            None => site.root_evidence("在专栏中查找政策解读"),
        };
        return Verdict::scored(0.0, vec![finding(id, Status::Fail, "未找到任何政策解读", evidence)]);
    }
    let mut by_form: BTreeMap<Form, Vec<&TitledDoc>> = BTreeMap::new();
    for d in &docs {
        let page = site.page(&d.url).and_then(|pg| pg.facts.as_ref());
        by_form.entry(classify(&d.title, page)).or_default().push(d);
    }
    let mut findings = Vec::new();
    for (form, list) in &by_form {
        let evidence: Vec<Evidence> = list
            .iter()
            .take(3)
            .flat_map(|d| site.doc_evidence(d, &format!("{}：{}", form.label_zh(), d.title)))
            .collect();
        findings.push(finding(
            id,
            Status::Pass,
            format!("{}形式解读{}篇，如《{}》", form.label_zh(), list.len(), list[0].title),
            evidence,
        ));
    }
    let forms: Vec<&str> = by_form.keys().map(|f| f.label_zh()).collect();
    let credit = (by_form.len() as f64 / p.target_forms as f64).min(1.0);
    if by_form.len() < p.target_forms {
        let evidence = findings.iter().flat_map(|f| f.evidence.iter().take(1).cloned()).collect();
        findings.push(finding(
            id,
            Status::Partial,
            format!(
                "政策解读共{}篇，形式仅有{}（{}种），未达到{}种；建议增加图解、视频、动画/H5等多样化解读",
                docs.len(),
                forms.join("、"),
                by_form.len(),
                p.target_forms
            ),
            evidence,
        ));
    }
    Verdict::scored(credit, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{SiteBuilder, d, entry, facts_doc, facts_list, facts_nav};
    use crate::extract::{Link, ListEntry, Media};

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
        ];
        for (title, page, want) in cases {
            assert_eq!(classify(title, page), want, "{title}");
        }
    }

    fn site(entries: Vec<ListEntry>) -> crate::site::UnitSite {
        SiteBuilder::new(ROOT)
            .page(ROOT, facts_nav(ROOT, &[("政策解读", COL)]))
            .page(COL, facts_list(COL, entries, &[]))
            .build()
    }

    #[test]
    fn credit_grows_with_variety() {
        let p = Params {
            column: ColumnSpec { name: "政策解读".into(), synonyms: vec!["解读回应".into()] },
            title_words: default_title_words(),
            target_forms: 3,
        };
        let e =
            |t: &str, n: u32| entry(t, &format!("http://gov.test/xxgk/zcjd/{n}.html"), Some("2021-05-01"));
        let cases = vec![
            ("none", vec![], Status::Fail, 0.0),
            ("text only", vec![e("《办法》解读", 1), e("《规定》解读", 2)], Status::Partial, 1.0 / 3.0),
            (
                "three forms",
                vec![e("《办法》解读", 1), e("一图读懂《办法》", 2), e("视频解读《办法》", 3)],
                Status::Pass,
                1.0,
            ),
        ];
        for (name, entries, want, credit) in cases {
            let s = site(entries);
            let v = run("i", &p, &Context { site: &s, as_of: d("2021-11-25") });
            assert_eq!(v.status, want, "{name}: {v:?}");
            assert!((v.credit.unwrap() - credit).abs() < 1e-9, "{name}");
            assert!(v.findings.iter().all(|f| !f.evidence.is_empty()), "{name}");
        }
    }
}
