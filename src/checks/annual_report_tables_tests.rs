use super::*;
use crate::checks::testkit::{SiteBuilder, d, facts_doc};
use crate::extract::{Applications, PageFacts};

const ROOT: &str = "http://gov.test/xxgk/";

fn row(v: [i64; 7]) -> Vec<Option<i64>> {
    v.iter().map(|x| Some(*x)).collect()
}

/// A consistent table: 新收 14 (自然人 12, 商业企业 2), 上年结转 1, 总计 14, 结转下年 1.
fn good_rows() -> Rows {
    BTreeMap::from([
        ("new_requests".to_string(), row([12, 2, 0, 0, 0, 0, 14])),
        ("carried_over".to_string(), row([1, 0, 0, 0, 0, 0, 1])),
        ("granted".to_string(), row([8, 1, 0, 0, 0, 0, 9])),
        ("partially_granted".to_string(), row([2, 0, 0, 0, 0, 0, 2])),
        ("withheld_1".to_string(), row([1, 0, 0, 0, 0, 0, 1])),
        ("unavailable_1".to_string(), row([1, 1, 0, 0, 0, 0, 2])),
        ("total".to_string(), row([12, 2, 0, 0, 0, 0, 14])),
        ("carried_forward".to_string(), row([1, 0, 0, 0, 0, 0, 1])),
    ])
}

#[test]
fn identities_table() {
    let mut wrong_total = good_rows();
    wrong_total.insert("granted".into(), row([8, 1, 0, 0, 0, 0, 10]));
    let mut wrong_balance = good_rows();
    wrong_balance.insert("carried_forward".into(), row([2, 0, 0, 0, 0, 0, 2]));
    let mut unreadable = good_rows();
    unreadable.insert("withheld_1".into(), vec![Some(1), None, Some(0), Some(0), Some(0), Some(0), Some(1)]);
    let cases: Vec<(&str, Rows, usize, bool)> = vec![
        ("consistent", good_rows(), 0, false),
        ("row total printed wrong", wrong_total, 2, false), // the row sum and the 总计 column sum
        ("balance broken", wrong_balance, 2, false),        // 自然人 and 总计 columns
        ("unreadable cell", unreadable, 0, true),
    ];
    for (name, rows, n_errors, want_unreadable) in cases {
        let (errors, u) = table_errors(&rows);
        assert_eq!(errors.len(), n_errors, "{name}: {errors:?}");
        assert_eq!(u, want_unreadable, "{name}");
    }
}

fn report_page(year: i32, rows: Option<Rows>, five: &str) -> (String, PageFacts) {
    let url = format!("http://gov.test/xxgk/nb/{year}.html");
    let text = format!("一、总体情况\n略\n五、存在的主要问题及改进情况\n{five}\n六、其他需要报告的事项\n无");
    let mut f = facts_doc(&url, &format!("{year}年政府信息公开工作年度报告"), &text);
    f.annual_report = Some(AnnualReport {
        year,
        sections: vec![
            "一、总体情况".into(),
            "五、存在的主要问题及改进情况".into(),
            "六、其他需要报告的事项".into(),
        ],
        applications: rows.map(|rows| Applications { rows }),
        review: None,
        proactive: None,
    });
    (url, f)
}

fn run_on(pages: Vec<(String, PageFacts)>) -> Verdict {
    run_aspect(pages, Aspect::Arithmetic)
}

fn run_aspect(pages: Vec<(String, PageFacts)>, aspect: Aspect) -> Verdict {
    let mut b = SiteBuilder::new(ROOT).page(ROOT, facts_doc(ROOT, "首页", ""));
    for (u, f) in pages {
        b = b.page(&u, f);
    }
    let site = b.build();
    let p = Params { aspect, ..Params::default() };
    run("t", &p, &Context { site: &site, as_of: d("2025-03-20") })
}

#[test]
fn verdict_table() {
    let five_a = "存在的问题：人员力量不足，部分栏目更新不及时。改进措施：加强培训。";
    let five_b = "存在的问题：依申请公开答复质量有待提高。改进措施：建立会商机制。";
    let mut carried_wrong = good_rows();
    carried_wrong.insert("carried_over".into(), row([0, 0, 0, 0, 0, 0, 0]));
    carried_wrong.insert("new_requests".into(), row([13, 2, 0, 0, 0, 0, 15]));
    let cases = vec![
        (
            "two good years",
            vec![report_page(2024, Some(good_rows()), five_a), report_page(2023, Some(good_rows()), five_b)],
            Status::Pass,
        ),
        (
            "上年结转 differs from last year's 结转下年",
            vec![
                report_page(2024, Some(carried_wrong), five_a),
                report_page(2023, Some(good_rows()), five_b),
            ],
            Status::Partial,
        ),
        (
            "table as an image: cannot judge, never a failure",
            vec![report_page(2024, None, five_a)],
            Status::Error,
        ),
        ("no report", vec![], Status::Manual),
    ];
    for (name, pages, want) in cases {
        let v = run_on(pages);
        assert_eq!(v.status, want, "{name}: {v:?}");
        for f in &v.findings {
            assert!(!f.evidence.is_empty(), "{name}: {f:?}");
        }
    }
}

#[test]
fn messages_say_which_identity_broke() {
    let mut rows = good_rows();
    rows.insert("granted".into(), row([5, 1, 0, 0, 0, 0, 7]));
    let v = run_on(vec![report_page(2024, Some(rows), "x")]);
    let m = &v.findings[0].message;
    assert!(m.contains("“予以公开”行：各类申请人合计6，与总计7不符"), "{m}");
}

#[test]
fn copied_text_is_found_with_its_passages() {
    let five_a = "存在的问题：人员力量不足，部分栏目更新不及时。改进措施：加强培训，完善考核机制。";
    let five_b = "存在的问题：依申请公开答复质量有待提高。改进措施：建立会商机制，规范答复文书。";
    let copied = run_aspect(
        vec![report_page(2024, Some(good_rows()), five_a), report_page(2023, Some(good_rows()), five_a)],
        Aspect::Similarity,
    );
    assert_eq!(copied.status, Status::Fail, "{copied:?}");
    let m = &copied.findings[0].message;
    assert!(m.contains("相似度为100%") && m.contains("人员力量不足，部分栏目更新不及时"), "{m}");
    assert_eq!(copied.findings[0].evidence.len(), 2, "both years cited");
    let fresh = run_aspect(
        vec![report_page(2024, Some(good_rows()), five_a), report_page(2023, Some(good_rows()), five_b)],
        Aspect::Similarity,
    );
    assert_eq!(fresh.status, Status::Pass, "{fresh:?}");
    assert!(fresh.findings[0].message.contains("相似度为"), "{:?}", fresh.findings);
    let alone = run_aspect(vec![report_page(2024, Some(good_rows()), five_a)], Aspect::Similarity);
    assert_eq!(alone.status, Status::Manual);
}

#[test]
fn missing_sections_are_named() {
    let v = run_aspect(vec![report_page(2024, Some(good_rows()), "x")], Aspect::Sections);
    assert_eq!(v.status, Status::Partial, "{v:?}");
    let m = &v.findings[0].message;
    assert!(m.contains("第二部分“主动公开政府信息情况”") && m.contains("第四部分"), "{m}");
    assert!(!m.contains("第一部分"), "{m}");
}

#[test]
fn table_four_groups_and_quoted_numbers() {
    let review = Review {
        reconsideration: [1, 0, 0, 1, 3].map(Some).to_vec(),
        lawsuit_direct: [0, 0, 0, 0, 0].map(Some).to_vec(),
        lawsuit_after_reconsideration: [1, 0, 0, 0, 1].map(Some).to_vec(),
    };
    let (errors, unreadable) = review_errors(&review);
    assert!(!unreadable);
    assert_eq!(
        errors,
        ["第四部分“行政复议”：结果维持(1)+结果纠正(0)+其他结果(0)+尚未审结(1)=2，与总计(3)不符"]
    );
    let report = AnnualReport {
        year: 2024,
        sections: vec![],
        applications: Some(Applications { rows: good_rows() }),
        review: Some(review),
        proactive: None,
    };
    let text = "2024年，本机关本年新收政府信息公开申请15件，上年结转1件。因政府信息公开被申请行政复议3件，行政诉讼2件。";
    let errors = quoted_errors(text, &report);
    assert_eq!(
        errors,
        [
            "正文称“本年新收政府信息公开申请15件”，与表格中的本年新收总计(14)不符",
            "正文称“行政诉讼2件”，与表格中的行政诉讼总计(1)不符"
        ]
    );
}

#[test]
fn a_page_named_like_a_report_without_its_content_is_not_accused() {
    let url = "http://gov.test/xxgk/tj/2024.html";
    let f = facts_doc(url, "2024年统计年报", "全区规模以上工业增加值增长百分之八。");
    for aspect in [Aspect::Sections, Aspect::Arithmetic] {
        let v = run_aspect(vec![(url.to_string(), f.clone())], aspect);
        assert_eq!(v.status, Status::Error, "{aspect:?}: {v:?}");
        assert!(v.findings[0].message.contains("无法读取"), "{:?}", v.findings);
    }
}
