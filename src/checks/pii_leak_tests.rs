use super::*;
use crate::checks::testkit::{SiteBuilder, d, facts_doc};

// Syntactically valid test numbers (check characters computed by GB 11643 and Luhn).
const ID: &str = "11010519491231002X";
const ID2: &str = "340111198506123411";
/// 18 digits that are also a valid ID (birth 1985-06-12): used as a 统一社会信用代码 and a 索引号.
const CODE_LIKE_ID: &str = "113401198506120003";
const CARD: &str = "6222021234567890128";
const CARD16: &str = "6217001234567893";
const VISA: &str = "4559521234567891";

fn p() -> Params {
    Params {
        ids: true,
        mobiles: true,
        bank_cards: true,
        contact_words: default_contact_words(),
        code_labels: default_code_labels(),
        card_prefixes: default_card_prefixes(),
        card_prefixes_alone: default_card_prefixes_alone(),
        card_words: default_card_words(),
        markings: Vec::new(),
    }
}

fn markings() -> Vec<Marking> {
    // The patterns of checks/privacy.yaml, kept in step by `privacy_yaml_markings_match_these`.
    let m = |name: &str, pattern: &str| Marking { name: name.into(), pattern: pattern.into() };
    vec![
        m("密级标志", r"密\s*级\s*[:：]?\s*[★☆]?\s*(绝密|机密|秘密|内部|涉密)"),
        m("密级星标", r"(绝密|机密|秘密)\s*[★☆]"),
        m(
            "内部资料标志",
            r"内部(资料|文件|材料|刊物)[\s，,。、:：（）()]{0,3}(注意保存|注意保密|妥善保管|不得外传|请勿外传|严禁外传|不得翻印|请勿公开|不得公开)",
        ),
        m("涉密标记", r"[【\[（(]\s*(涉密|秘密|机密|绝密|内部)\s*[】\]）)]"),
        m("不予公开标志", r"此件不予?公开|公开(属性|方式|类型)\s*[:：]\s*不予公开"),
    ]
}

#[test]
fn resident_id_validation() {
    let cases = [
        (ID, true),
        ("11010519491231002x", true),
        (ID2, true),
        ("110105194912310021", false), // wrong check digit
        ("110105194913310028", false), // month 13
        ("91340100MA2N0XXX1X", false), // credit code
        ("1101051949123100", false),   // too short
    ];
    for (s, want) in cases {
        assert_eq!(is_resident_id(s), want, "{s}");
    }
}

#[test]
fn luhn_check() {
    assert!(luhn(CARD) && luhn(CARD16) && luhn(VISA) && luhn("79927398713"));
    assert!(!luhn("6222021234567890127") && !luhn("79927398710") && !luhn("") && !luhn("12a4"));
}

fn kinds(text: &str) -> Vec<PiiKind> {
    find_pii(text, &p()).into_iter().map(|h| h.kind).collect()
}

#[test]
fn finding_table() {
    use PiiKind::*;
    let cases: Vec<(String, Vec<PiiKind>)> = vec![
        ("低保对象：张三，身份证号11010519491231002X。".into(), vec![ResidentId]),
        ("身份证号110105**********2X，已脱敏".into(), vec![]),
        ("身份证号3401**********1234，已脱敏".into(), vec![]),
        ("统一社会信用代码：91340100MA2N0XXX1X".into(), vec![]),
        ("索引号：11340111MB1234567X/202110-00012".into(), vec![]),
        // An all-digit code that happens to be a valid ID is still a code when announced or in a 索引号.
        (format!("统一社会信用代码：{CODE_LIKE_ID}"), vec![]),
        (format!("索引号 {CODE_LIKE_ID}/2024-00043"), vec![]),
        (format!("项目编号{CODE_LIKE_ID}"), vec![]),
        (format!("编号（身份证号）{CODE_LIKE_ID}"), vec![ResidentId]),
        (format!("张三/{ID2}/男"), vec![ResidentId]),
        ("户主手机13812345678".into(), vec![Mobile]),
        ("Tel13812345678".into(), vec![Mobile]),
        ("联系人：王喆 13812345678".into(), vec![]),
        ("联系电话：13812345678".into(), vec![]),
        ("编号2013812345678901".into(), vec![]),
        ("号码123456789012345678".into(), vec![]),
        ("电话139****5678".into(), vec![]),
        // Split numbers: spaced, hyphenated, wrapped, across table cells.
        ("手机 139 6501 2345".into(), vec![Mobile]),
        ("手机 139-6501-2345".into(), vec![Mobile]),
        ("身份证 340111 19850612 3411".into(), vec![ResidentId]),
        ("身份证号：34011119850612\n3411\n".into(), vec![ResidentId]),
        ("张三\n340111\n198506123411\n低保".into(), vec![ResidentId]),
        // Bank cards: Luhn, a card prefix, and outside 62… a card word before them.
        (format!("一卡通账号：{CARD}"), vec![BankCard]),
        (format!("收款 {CARD16}"), vec![BankCard]),
        ("银行卡号 6222 0212 3456 7890 128".into(), vec![BankCard]),
        ("银行卡号 6222021234567890127".into(), vec![]), // Luhn fails
        (format!("卡号{VISA}"), vec![BankCard]),
        (format!("编码{VISA}"), vec![]), // a Visa-like number with no card word
        ("对公账号 1302010009001234567".into(), vec![]), // no card prefix
        // A table of figures: cells on separate lines are not glued into a mobile or a card.
        ("数量\n138\n1234\n5678\n合计".into(), vec![]),
        ("6222\n0212\n3456\n7890\n128".into(), vec![]),
        ("日期 2025-03-14 电话 0551-63351234".into(), vec![]),
    ];
    for (text, want) in cases {
        assert_eq!(kinds(&text), want, "{text}");
    }
}

#[test]
fn mask_pii_keeps_urls_dates_and_separators() {
    let t = format!("见 http://a.cn/t20250120_1445.html 2025-01-20 {ID} 联系电话13812345678");
    let m = mask_pii(&t);
    assert_eq!(m, "见 http://a.cn/t20250120_1445.html 2025-01-20 110105********002X 联系电话138****5678");
    assert_eq!(mask_pii("手机 139 6501 2345"), "手机 139 **** 2345");
    assert_eq!(mask_pii(&format!("卡号{CARD}")), "卡号6222***********0128");
    assert_eq!(mask_pii("身份证号：34011119850612\n3411"), "身份证号：340111********\n3411");
}

#[test]
fn masking_never_repeats_the_number() {
    assert_eq!(mask(ID, Some(PiiKind::ResidentId)), "110105********002X");
    assert_eq!(mask("13812345678", Some(PiiKind::Mobile)), "138****5678");
    assert_eq!(mask(CARD, Some(PiiKind::BankCard)), "6222***********0128");
    let e = mask_all(&format!("张三 {ID} 李四 13812345678 其他 1234567890123 卡 {CARD}"));
    for n in [ID, "13812345678", "1234567890123", CARD] {
        assert!(!e.contains(n), "{e}");
    }
}

#[test]
fn markings_are_found_as_markings_not_as_words() {
    let compiled: Vec<(String, Regex)> =
        markings().iter().map(|m| (m.name.clone(), compile_marking(m).unwrap())).collect();
    let cases = [
        ("密级：秘密\n关于……的通知", Some("密级标志")),
        ("密 级： 内部", Some("密级标志")),
        ("秘密★1年\n包公街道办事处文件", Some("密级星标")),
        ("机密 ★ 长期", Some("密级星标")),
        ("内部资料 注意保存", Some("内部资料标志")),
        ("内部资料，请勿外传", Some("内部资料标志")),
        ("【涉密】街道维稳工作方案", Some("涉密标记")),
        ("（此件不公开）", Some("不予公开标志")),
        ("公开属性：不予公开", Some("不予公开标志")),
        // Running text and harmless labels.
        ("密级：无", None),
        ("密级：公开", None),
        ("严格执行保密审查制度，防止涉密信息上网", None),
        ("不得泄露国家秘密和工作秘密", None),
        ("群众满意度★★★★★", None),
        ("加强内部管理，注意保存档案", None),
        ("公开属性：主动公开", None),
    ];
    for (text, want) in cases {
        let got = find_markings(text, &compiled).first().map(|h| h.name.clone());
        assert_eq!(got.as_deref(), want, "{text}");
    }
}

#[test]
fn privacy_yaml_markings_match_these() {
    let set =
        crate::checks::CheckSet::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks"))
            .unwrap();
    let from_yaml: Vec<Marking> = set
        .checks
        .iter()
        .filter_map(|c| match &c.params {
            crate::checks::KindParams::PiiLeak(p) if !p.markings.is_empty() => Some(p.markings.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(from_yaml, markings());
}

#[test]
fn bad_params_are_refused() {
    let mut q = p();
    q.markings = vec![Marking { name: "x".into(), pattern: "(".into() }];
    assert!(q.validate().unwrap_err().contains("invalid pattern"));
    let mut q = p();
    q.card_prefixes = vec!["6x".into()];
    assert!(q.validate().is_err());
    let q = Params { ids: false, mobiles: false, bank_cards: false, ..p() };
    assert!(q.validate().unwrap_err().contains("nothing to look for"));
}

#[test]
fn leak_fails_with_masked_message_and_excerpt() {
    let root = "http://gov.test/xxgk/";
    let doc = "http://gov.test/xxgk/gs.html";
    let s = SiteBuilder::new(root)
        .page(root, facts_doc(root, "首页", "欢迎"))
        .page(doc, facts_doc(doc, "低保公示", &format!("张三 {ID} 户主手机 13912345678 一卡通 {CARD}")))
        .attachment_text("http://gov.test/xxgk/名单.csv", &format!("姓名,身份证\n李四,{ID}\n"))
        .build();
    let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.findings.len(), 2, "{v:?}");
    let shown = format!("{v:?}");
    for n in [ID, "13912345678", CARD] {
        assert!(!shown.contains(n), "{shown}");
    }
    let m = &v.findings[0].message;
    assert!(m.contains("110105********002X") && m.contains("1个银行卡号（如6222***********0128）"), "{m}");
    assert!(v.findings[0].evidence[0].excerpt.contains("139****5678"));
}

#[test]
fn a_marked_page_fails_the_markings_check() {
    let root = "http://gov.test/xxgk/";
    let doc = "http://gov.test/xxgk/fa.html";
    let clean = "http://gov.test/xxgk/zd.html";
    let q = Params { ids: false, mobiles: false, bank_cards: false, markings: markings(), ..p() };
    let s = SiteBuilder::new(root)
        .page(root, facts_doc(root, "首页", "欢迎"))
        .page(clean, facts_doc(clean, "保密审查制度", "严格保密审查，防止涉密信息上网。"))
        .page(doc, facts_doc(doc, "维稳工作方案", &format!("秘密★1年\n方案正文 手机{ID2}")))
        .build();
    let v = run("secret", &q, &Context { site: &s, as_of: d("2021-11-25") });
    assert_eq!(v.status, Status::Fail, "{v:?}");
    assert_eq!(v.findings.len(), 1, "only the marked page: {v:?}");
    let f = &v.findings[0];
    assert!(f.message.contains("《维稳工作方案》标有密级星标“秘密★”"), "{}", f.message);
    assert_eq!(f.evidence[0].url, doc);
    assert!(!format!("{v:?}").contains(ID2), "excerpts mask numbers even in the markings check");
    let clean_site = SiteBuilder::new(root)
        .page(root, facts_doc(root, "首页", "欢迎"))
        .page(clean, facts_doc(clean, "保密审查制度", "严格保密审查，防止涉密信息上网。"))
        .build();
    let v = run("secret", &q, &Context { site: &clean_site, as_of: d("2021-11-25") });
    assert_eq!(v.status, Status::Pass, "{v:?}");
    assert!(v.findings[0].message.contains("未发现密级、内部资料等标志"), "{}", v.findings[0].message);
}

#[test]
fn another_units_attachment_is_not_scanned() {
    let root = "http://gov.test/xxgk/";
    let s = SiteBuilder::new(root)
        .page(root, facts_doc(root, "首页", "欢迎"))
        .attachment_text("http://gov.test/other/名单.csv", &format!("李四,{ID}\n"))
        .build();
    let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
    assert_eq!(v.status, Status::Pass, "{v:?}");
}

#[test]
fn clean_site_passes_with_scanned_pages_as_evidence() {
    let root = "http://gov.test/xxgk/";
    let s = SiteBuilder::new(root).page(root, facts_doc(root, "首页", "联系电话：13812345678")).build();
    let v = run("pii", &p(), &Context { site: &s, as_of: d("2021-11-25") });
    assert_eq!(v.status, Status::Pass);
    assert_eq!(v.findings[0].evidence[0].url, root);
    assert!(v.findings[0].message.contains("未发现居民身份证号码、手机号码、银行卡号"));
}

#[test]
fn digit_groups_are_the_regex_matches() {
    let re = Regex::new(r"[0-9]+[Xx]?").unwrap();
    let texts = [
        "",
        "无数字",
        "2025年12月22日",
        "身份证11010519491231002X，电话138 0013 8000；x1X2xx33X",
        "索引号：113401110030123456/2024-00043 ９９ 全角数字不算",
        "0",
        "a1b22c333Xd4444x",
        ID,
        "X12X",
    ];
    for t in texts {
        let ours: Vec<(usize, usize)> = digit_groups(t).iter().map(|g| (g.start, g.end)).collect();
        let theirs: Vec<(usize, usize)> = re.find_iter(t).map(|m| (m.start(), m.end())).collect();
        assert_eq!(ours, theirs, "{t:?}");
    }
}
