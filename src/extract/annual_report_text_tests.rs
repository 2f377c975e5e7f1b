//! Table reading from attachment text: the shapes `pdftotext -layout` and the DOCX reader produce.

use super::*;

/// Template labels of table 三 with their canonical keys, in order.
pub(crate) const LABELS: [(&str, &str); 25] = [
    ("一、本年新收政府信息公开申请数量", "new_requests"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("三、本年度办理结果 （一）予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("（三）不予公开 1.属于国家秘密", "withheld_1"),
    ("2.其他法律行政法规禁止公开", "withheld_2"),
    ("3.危及“三安全一稳定”", "withheld_3"),
    ("4.保护第三方合法权益", "withheld_4"),
    ("5.属于三类内部事务信息", "withheld_5"),
    ("6.属于四类过程性信息", "withheld_6"),
    ("7.属于行政执法案卷", "withheld_7"),
    ("8.属于行政查询事项", "withheld_8"),
    ("（四）无法提供 1.本机关不掌握相关政府信息", "unavailable_1"),
    ("2.没有现成信息需要另行制作", "unavailable_2"),
    ("3.补正后申请内容仍不明确", "unavailable_3"),
    ("（五）不予处理 1.信访举报投诉类申请", "not_processed_1"),
    ("2.重复申请", "not_processed_2"),
    ("3.要求提供公开出版物", "not_processed_3"),
    ("4.无正当理由大量反复申请", "not_processed_4"),
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed_5"),
    ("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_1"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_2"),
    ("3.其他", "other_3"),
    ("（七）总计", "total"),
    ("四、结转下年度继续办理", "carried_forward"),
];

/// The real-format test vector: 13612 + 535 = 13364 + 783 (总计 column), spread over the applicants.
pub(crate) fn vector_values(key: &str) -> [i64; 7] {
    match key {
        "new_requests" => [13000, 600, 2, 5, 3, 2, 13612],
        "carried_over" => [500, 30, 0, 1, 2, 2, 535],
        "granted" => [12000, 500, 2, 4, 3, 2, 12511],
        "partially_granted" => [800, 50, 0, 1, 1, 1, 853],
        "total" => [12800, 550, 2, 5, 4, 3, 13364],
        "carried_forward" => [700, 80, 0, 1, 1, 1, 783],
        _ => [0; 7],
    }
}

/// A table as `pdftotext -layout` prints it: padded label, right-aligned cells; zero cells of the
/// result groups left blank or printed as "—" and "/", long labels split over two lines.
pub(crate) fn layout_text(values: impl Fn(&str) -> [i64; 7]) -> String {
    let mut out = String::from(
        "三、收到和处理政府信息公开申请情况\n\n                                   申请人情况\n\
         （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）  自然人  法人或其他组织  其他  总计\n\
         商业企业 科研机构 社会公益组织 法律服务机构\n",
    );
    for (i, (label, key)) in LABELS.iter().enumerate() {
        let v = values(key);
        let cells: String = v
            .iter()
            .enumerate()
            .map(|(c, n)| {
                let s = match (n, i % 3, c) {
                    (0, 0, _) => String::new(),
                    (0, 1, c) if c % 2 == 0 => "—".to_string(),
                    (0, 1, _) => "/".to_string(),
                    _ => n.to_string(),
                };
                format!("{s:>8}")
            })
            .collect();
        let chars: Vec<char> = label.chars().collect();
        if chars.len() > 24 {
            // The label cell wraps: its first part on the line with the numbers, the rest below.
            let (a, b) = chars.split_at(20);
            out +=
                &format!("{:<40}{cells}\n{}\n", a.iter().collect::<String>(), b.iter().collect::<String>());
        } else {
            out += &format!("{label:<40}{cells}\n");
        }
        if i == 11 {
            out += "\n\u{c}                                  - 3 -\n\n";
        }
    }
    out
}

#[test]
fn real_format_vector_from_layout_text() {
    let text = format!(
        "某市2023年度政府信息公开\n工作年度报告\n一、总体情况\n二、主动公开政府信息情况\n{}\n四、政府信息公开行政复议、行政诉讼情况\n",
        layout_text(vector_values)
    );
    let r = annual_report_from_text(None, &text).expect("a report");
    assert_eq!(r.year, 2023);
    let rows = r.applications.expect("table 三").rows;
    for (_, key) in LABELS {
        assert_eq!(rows.get(key), Some(&vector_values(key).map(Some).to_vec()), "{key}");
    }
    let t = |k: &str| rows[k][6].unwrap();
    assert_eq!(t("new_requests") + t("carried_over"), t("total") + t("carried_forward"));
    assert_eq!(
        (t("new_requests"), t("carried_over"), t("total"), t("carried_forward")),
        (13612, 535, 13364, 783)
    );
}

#[test]
fn label_split_above_the_numbers() {
    let text = "本年新收 ...\n\
        一、本年新收政府信息公开申请数量        3       0       0       0       0       0       3\n\
        （二）部分公开（区分处理的，只\n\
        计这一情形，不计其他情形）            1       0       0       0       0       0       1\n\
        （七）总计                            3       0       0       0       0       0       3\n";
    let r = annual_report_from_text(Some("2022年政府信息公开工作年度报告"), text).expect("report");
    let rows = r.applications.expect("table").rows;
    assert_eq!(rows["partially_granted"], [1, 0, 0, 0, 0, 0, 1].map(Some).to_vec());
    assert_eq!(rows.len(), 3, "{:?}", rows.keys());
}

#[test]
fn docx_tabs_with_blank_cells_and_a_subtotal_column() {
    let mut text = String::from(
        "2021年度政府信息公开工作年度报告\n\t自然人\t法人或其他组织\t\t\t\t\t\t其他\t总计\n\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t小计\t\n",
    );
    text += "一、本年新收政府信息公开申请数量\t\t5\t1\t\t\t\t\t1\t6\t\n";
    text += "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t1\t—\t/\t\t\t0\t\t1\t\n";
    text += "\t\t2.其他法律行政法规禁止公开\t\t\t\t\t\t\t\t\t\n";
    text += "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t0\t\n";
    let r = annual_report_from_text(None, &text).expect("report");
    let rows = r.applications.expect("table").rows;
    assert_eq!(rows["new_requests"], [5, 1, 0, 0, 0, 0, 6].map(Some).to_vec());
    assert_eq!(rows["withheld_1"], [1, 0, 0, 0, 0, 0, 1].map(Some).to_vec());
    assert_eq!(rows["withheld_2"], [0; 7].map(Some).to_vec());
    assert_eq!(rows["carried_forward"], [0; 7].map(Some).to_vec());
}

#[test]
fn table_four_over_two_lines_with_a_page_number() {
    let text = "2020年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n\
        行政复议          行政诉讼\n\
        结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n\
        结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n\
        2  1  0  0  3  1  0  0  1\n\
        - 4 -\n\
        2  0  0  0  0  0\n\
        五、存在的主要问题及改进情况\n";
    let r = annual_report_from_text(None, text).expect("report");
    let v = r.review.expect("table 四");
    assert_eq!(v.reconsideration, [2, 1, 0, 0, 3].map(Some).to_vec());
    assert_eq!(v.lawsuit_direct, [1, 0, 0, 1, 2].map(Some).to_vec());
    assert_eq!(v.lawsuit_after_reconsideration, [0; 5].map(Some).to_vec());
}

#[test]
fn an_unreadable_layout_row_is_none_not_zero() {
    // Three values on a row whose columns were never learnt: nothing is guessed.
    let text =
        "2020年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量   3   1   4\n（七）总计  4\n";
    let r = annual_report_from_text(None, text).expect("report");
    let rows = r.applications.expect("rows").rows;
    assert_eq!(rows["new_requests"], vec![None; 7]);
}

#[test]
fn text_without_a_report_year_is_none() {
    assert!(annual_report_from_text(None, "关于印发工作要点的通知\n一、总体情况").is_none());
}

#[test]
fn table_two_from_layout_and_tabs() {
    let layout = "2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n\
        信息内容        本年制发件数    本年废止件数    现行有效件数\n\
        规章                 0              0               0\n\
        行政规范性文件       2              1              15\n\
        行政许可                  1234\n\
        行政处罚                    56\n\
        行政强制                     —\n\
        行政事业性收费             12.5\n\
        三、收到和处理政府信息公开申请情况\n";
    let r = annual_report_from_text(None, layout).expect("report");
    let rows = r.proactive.expect("table 二").rows;
    assert_eq!(rows["normative_documents"], [Some(2.0), Some(1.0), Some(15.0)]);
    assert_eq!(rows["regulations"], [Some(0.0); 3]);
    assert_eq!(rows["licensing"], [Some(1234.0)]);
    assert_eq!(rows["coercion"], [Some(0.0)]);
    assert_eq!(rows["fees"], [Some(12.5)]);
    let tabs = "2021年度政府信息公开工作年度报告\n规章\t\t\t\t\n行政规范性文件\t3\t\t9\t\n";
    let rows = annual_report_from_text(None, tabs).expect("report").proactive.expect("table 二").rows;
    assert_eq!(rows["regulations"], [Some(0.0); 3]);
    assert_eq!(rows["normative_documents"], [Some(3.0), Some(0.0), Some(9.0)]);
}

#[test]
fn eight_columns_with_a_subtotal_and_blank_cells_in_layout_text() {
    let text = "2023年政府信息公开工作年度报告\n\
        三、收到和处理政府信息公开申请情况\n\
        \x20                                  自然人   商业   科研   公益   法律   其他   小计   总计\n\
        一、本年新收政府信息公开申请数量         9      2      0      0      1      0      3     12\n\
        二、上年结转政府信息公开申请数量         1                                                1\n\
        （七）总计                               10      2      0      0      1      0      3     13\n\
        四、结转下年度继续办理\n";
    let rows = annual_report_from_text(None, text).expect("report").applications.expect("table").rows;
    assert_eq!(rows["new_requests"], [9, 2, 0, 0, 1, 0, 12].map(Some).to_vec());
    assert_eq!(rows["carried_over"], [1, 0, 0, 0, 0, 0, 1].map(Some).to_vec());
    assert_eq!(rows["total"], [10, 2, 0, 0, 1, 0, 13].map(Some).to_vec());
    assert_eq!(rows["carried_forward"], [0; 7].map(Some).to_vec());
}
