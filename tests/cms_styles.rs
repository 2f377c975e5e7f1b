//! Issue 3 end to end on three more CMS styles (fixtures/sites/, written by its build.py): a TRS-like
//! 专栏 with nested menus, an iframe list and createPageHTML paging; a Lonsun-like platform addressed by
//! query strings with JavaScript paging; a gkmlpt-like 目录 with `<dl>` menus and PubDate head tags.
//! Served on 127.0.0.1 by `serve_dir`, audited at a fixed date, over real HTTP.

mod common;

use common::{findings_of, item, unit};
use serde_json::Value;
use zwgk_audit::audit::{self, AuditOptions};
use zwgk_audit::config::UnitsConfig;

const AS_OF: &str = "2025-06-30";

struct Audit {
    report: Value,
    out: tempfile::TempDir,
    base: String,
}

async fn audit_sites() -> Audit {
    let dir = common::repo().join("fixtures/sites");
    let server = zwgk_audit::demo::serve_dir(dir.clone()).await.expect("serve");
    let text = std::fs::read_to_string(dir.join("units.yaml"))
        .unwrap()
        .replace("{port}", &server.addr.port().to_string());
    let mut config = UnitsConfig::parse(&dir.join("units.yaml"), &text).expect("units");
    config.settings.rate_per_host = 200.0;
    let out = tempfile::tempdir().unwrap();
    let options = AuditOptions {
        checks_dir: common::repo().join("checks"),
        out_dir: out.path().to_path_buf(),
        as_of: chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap(),
        allow_private: true,
    };
    audit::run(&config, &options).await.expect("audit runs");
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    Audit { report, out, base: server.base_url() }
}

fn column<'a>(u: &'a Value, name: &str) -> &'a Value {
    u["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("column {name} in {}", u["id"]))
}

fn messages(u: &Value, check: &str) -> Vec<(String, String)> {
    findings_of(u, check)
        .iter()
        .map(|f| (f["status"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()))
        .collect()
}

fn has(u: &Value, check: &str, status: &str, parts: &[&str]) -> bool {
    messages(u, check).iter().any(|(st, m)| st == status && parts.iter().all(|p| m.contains(p)))
}

fn score(u: &Value, id: &str) -> (String, Option<f64>) {
    let it = item(u, id);
    assert!(!it["explanation"].as_str().unwrap().is_empty(), "{id}: no explanation");
    (it["status"].as_str().unwrap().to_string(), it["score"].as_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue3_on_three_cms_styles() {
    let a = audit_sites().await;
    let r = &a.report;
    let fetched = common::fetched_urls(&a.out.path().join("evidence.sqlite"));
    common::assert_contract(r, &fetched);
    assert_eq!(r["as_of"], AS_OF);
    let trs = unit(r, "trs-anju");
    let lon = unit(r, "lonsun-scj");
    let gk = unit(r, "gkmlpt-heping");

    // 1. The column tree: levels and parents from the nested menu, entries across paging and iframes.
    let fd = column(trs, "法定主动公开内容");
    assert_eq!((fd["level"].as_u64(), fd["entries"].as_u64()), (Some(1), Some(0)));
    for child in ["机构职能", "规范性文件", "工作动态", "通知公告", "统计信息", "规划计划"]
    {
        let c = column(trs, child);
        assert_eq!(c["level"], 2, "{child}");
        assert_eq!(c["parent"], fd["url"], "{child}");
    }
    // Tabs on the 规范性文件 page: 现行有效 and 已废止 are its sub-columns.
    for tab in ["现行有效", "已废止"] {
        let c = column(trs, tab);
        assert_eq!(
            (c["level"].as_u64(), &c["parent"]),
            (Some(3), &column(trs, "规范性文件")["url"]),
            "{tab}"
        );
    }
    assert_eq!(column(trs, "现行有效")["entries"], 2);
    // createPageHTML paging: the third 规范性文件 is only on index_1.html.
    let gf = column(trs, "规范性文件");
    assert_eq!((gf["entries"].as_u64(), gf["list_pages"].as_u64()), (Some(3), Some(2)), "{gf}");
    // The 工作动态 list sits in an iframe.
    let dt = column(trs, "工作动态");
    assert_eq!((dt["entries"].as_u64(), dt["newest"].as_str()), (Some(3), Some("2025-06-25")), "{dt}");
    // Lonsun: the query-addressed column and its second page, reached through `var pageCount`.
    let ldt = column(lon, "工作动态");
    assert_eq!((ldt["entries"].as_u64(), ldt["list_pages"].as_u64()), (Some(5), Some(2)), "{ldt}");
    assert!(ldt["url"].as_str().unwrap().contains("catId=104&action=list"));
    // gkmlpt: the <dl> catalogue gives ten first-level columns.
    assert_eq!(gk["columns"].as_array().unwrap().len(), 10);
    assert!(gk["columns"].as_array().unwrap().iter().all(|c| c["level"] == 1));
    // The HTML report draws the tree with counts and dates.
    let html = std::fs::read_to_string(a.out.path().join("report.html")).unwrap();
    assert!(html.contains("栏目目录（共 13 个栏目）"), "no column tree in report.html");
    assert!(html.contains("2025-06-25") && html.contains("规范性文件"));

    // 2. The standard directory: missing, blank and explained columns; the blank veto.
    assert!(has(lon, "standard-columns-pages", "fail", &["未找到“法定主动公开内容”"]));
    assert!(has(trs, "blank-columns", "fail", &["“统计信息”为空白栏目", "暂无信息"]));
    assert!(!has(trs, "blank-columns", "fail", &["“规划计划”"]), "an explained column is not blank");
    assert!(has(trs, "blank-columns", "partial", &["共13个栏目", "空白栏目1个", "单项否决线为5个"]));
    assert!(has(gk, "blank-columns", "fail", &["空白栏目5个", "达到单项否决线"]));
    assert_eq!(messages(gk, "blank-columns").iter().filter(|(_, m)| m.contains("为空白栏目")).count(), 5);
    // 第二十一条 categories are asked of a street, not of a department.
    assert!(has(trs, "township-categories", "fail", &["宅基地"]));
    assert!(messages(lon, "township-categories").is_empty());

    // 3. Freshness by column type: ages, 更新日期 of a single-page column, the stale veto.
    assert!(has(trs, "columns-fresh-by-type", "pass", &["“机构职能”", "2025-03-01", "121天"]));
    assert!(has(trs, "columns-fresh-by-type", "fail", &["“通知公告”", "已265天未更新"]));
    assert!(has(trs, "columns-fresh-by-type", "pass", &["“工作动态”", "距测评日5天"]));
    assert_eq!(column(trs, "机构职能")["age_days"], 121);
    assert!(has(lon, "columns-fresh-by-type", "fail", &["超期未更新5个", "已达到单项否决线"]));
    assert!(has(lon, "columns-fresh-by-type", "fail", &["“图片新闻”", "动态要闻类", "已107天未更新"]));
    assert!(has(lon, "columns-fresh-by-type", "pass", &["“机构概况”", "2025-01-15"]));

    // 4. 公开要素: malformed 索引号, 规范性文件 without 有效性, the share per column.
    assert!(has(
        trs,
        "metadata-complete",
        "fail",
        &["《安居街道居民公约管理办法》", "AJJD-2025-0208", "机构代码/年份-流水号"]
    ));
    assert!(has(trs, "metadata-complete", "fail", &["《安居街道临时救助实施细则》", "有效性"]));
    assert!(has(
        trs,
        "metadata-complete",
        "partial",
        &["“规范性文件”栏目：检查3个文件页面，1个公开要素齐全（33%）"]
    ));
    assert!(has(lon, "metadata-complete", "fail", &["《区市场监管局召开年度工作会议》", "索引号"]));
    assert!(has(
        lon,
        "metadata-complete",
        "partial",
        &["“工作动态”栏目：检查2个文件页面，1个公开要素齐全（50%）"]
    ));
    assert!(has(
        gk,
        "metadata-complete",
        "pass",
        &["“政策文件”栏目：检查2个文件页面，2个公开要素齐全（100%）"]
    ));

    // 5. 20 working days, by the official calendar (data/cn-workdays.yaml, 2025: 清明 4-4…4-6 and 劳动节
    // 5-1…5-5 off, Sunday 4-27 a make-up working day): 2025-04-01 → 2025-05-10 is 25 working days.
    assert!(has(gk, "publish-within-20-working-days", "fail", &["2025-04-01", "2025-05-10", "25个工作日"]));

    // 6. Channels.
    assert!(has(trs, "search-function", "pass", &["安居街道开展夏季消防安全检查"]));
    assert!(fetched.iter().any(|u| u.contains("/trs/search/index.html?channelid=2981&searchword=")));
    assert!(has(lon, "search-function", "fail", &["未发现站内检索功能"]));
    assert!(has(trs, "reading-room", "pass", &["地址", "开放时间"]));
    assert!(has(gk, "reading-room", "partial", &["政务公开专区", "未见开放时间"]));
    assert!(has(gk, "hotline", "pass", &["12345"]));
    assert!(has(lon, "hotline", "pass", &["其他公开渠道"]));

    // 7. Item scores, each with its explanation.
    let expect: &[(&Value, &str, &str, f64)] = &[
        (trs, "common-13", "partial", 1.45),
        (trs, "common-15", "partial", 1.37),
        (trs, "common-18", "pass", 2.0),
        (trs, "common-21", "pass", 2.0),
        (trs, "common-23", "partial", 2.22),
        (lon, "common-15", "partial", 1.2),
        // The 专栏 under its standard name, but no search function.
        (lon, "common-18", "partial", 1.0),
        (lon, "common-21", "fail", 0.0),
        (gk, "common-13", "partial", 0.61),
        (gk, "common-21", "partial", 1.0),
        (gk, "common-22", "fail", 0.0),
    ];
    for (u, id, status, points) in expect {
        let (st, sc) = score(u, id);
        assert_eq!(
            (st.as_str(), sc),
            (*status, Some(*points)),
            "{} {id}: {}",
            u["id"],
            item(u, id)["explanation"]
        );
    }
    assert!(item(trs, "common-18")["explanation"].as_str().unwrap().contains("实地测评"));
    let _ = &a.base;
}

/// A search address forbidden by robots.txt is never requested, and the check leaves it to a person.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_forbidden_by_robots_is_left_to_a_person() {
    let audit = common::audit_demo().await;
    let bg = unit(&audit.report, "baogong");
    assert!(
        has(bg, "search-function", "manual", &["robots.txt", "需人工"]),
        "{:?}",
        messages(bg, "search-function")
    );
    // The item is still judged on the 专栏's standard name; the search is left to a person, and the
    // explanation says what to check and why the tool did not.
    assert_eq!(item(bg, "common-18")["status"], "pass");
    let explanation = item(bg, "common-18")["explanation"].as_str().unwrap();
    assert!(explanation.contains("需人工核查") && explanation.contains("robots.txt"), "{explanation}");
    // The demo's side menu nests seven columns under 法定主动公开内容: the tree says so, and the parent
    // (whose page only repeats the menu) is not called blank.
    let cols = bg["columns"].as_array().unwrap();
    let fd = cols.iter().find(|c| c["name"] == "法定主动公开内容").unwrap();
    assert_eq!(cols.iter().filter(|c| c["parent"] == fd["url"]).count(), 7, "{cols:#?}");
    assert!(has(bg, "blank-columns", "pass", &["未发现空白栏目"]));
    let st = unit(&audit.report, "shengtai");
    assert!(has(st, "blank-columns", "fail", &["“规划计划”为空白栏目"]));
}
