//! How much of a 年报's text repeats last year's: character n-gram shingles and their Jaccard index, and
//! the longest passages repeated word for word.
//!
//! 国办公开办函〔2021〕30号 names 内容雷同 (copying last year's report) as misconduct. Chinese has no spaces,
//! so words are not counted: overlapping runs of `n` characters are. The figures and the template's own
//! short labels change nothing about whether the prose was copied, so digits and short lines (table cells,
//! headings) are left out before comparing.

use std::collections::{HashMap, HashSet};

/// Bound on the characters compared from each text.
const MAX_CHARS: usize = 60_000;
/// Lines shorter than this (compacted) are table cells or headings, not prose.
const MIN_LINE: usize = 15;

/// The prose of a report, whitespace and digits removed: lines of at least [`MIN_LINE`] characters that
/// read as sentences (punctuated), not table rows (tab-separated cells, bracketed template labels).
pub fn prose(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l: Vec<char> = line.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_digit()).collect();
        let sentence = l.iter().any(|c| matches!(c, '。' | '，' | '；')) && l.first() != Some(&'（');
        if l.len() >= MIN_LINE && sentence && !line.contains('\t') {
            out.extend(l);
        }
        if out.len() >= MAX_CHARS {
            out.truncate(MAX_CHARS);
            break;
        }
    }
    out
}

fn shingles(text: &[char], n: usize) -> HashSet<&[char]> {
    text.windows(n.max(1)).collect()
}

/// Jaccard index of the two texts' `n`-character shingle sets, in [0, 1]; `None` when either text is
/// too short to have a shingle.
pub fn jaccard(a: &[char], b: &[char], n: usize) -> Option<f64> {
    let (sa, sb) = (shingles(a, n), shingles(b, n));
    if sa.is_empty() || sb.is_empty() {
        return None;
    }
    let inter = sa.intersection(&sb).count();
    Some(inter as f64 / (sa.len() + sb.len() - inter) as f64)
}

/// The longest passages of `a` that occur verbatim in `b`, longest first, each at least `min_len`
/// characters, at most `max` of them, not overlapping in `a`.
pub fn repeated_passages(a: &[char], b: &[char], min_len: usize, max: usize) -> Vec<String> {
    const K: usize = 8;
    if a.len() < K.max(min_len) || b.len() < K {
        return Vec::new();
    }
    let mut index: HashMap<&[char], Vec<usize>> = HashMap::new();
    for (j, w) in b.windows(K).enumerate() {
        let v = index.entry(w).or_default();
        if v.len() < 16 {
            v.push(j);
        }
    }
    let mut found: Vec<(usize, usize)> = Vec::new(); // (start in a, length)
    let mut i = 0;
    while i + K <= a.len() {
        let best = index
            .get(&a[i..i + K])
            .into_iter()
            .flatten()
            .map(|&j| a[i..].iter().zip(&b[j..]).take_while(|(x, y)| x == y).count())
            .max()
            .unwrap_or(0);
        if best >= min_len {
            found.push((i, best));
            i += best;
        } else {
            i += 1;
        }
    }
    found.sort_by_key(|&(start, len)| (std::cmp::Reverse(len), start));
    found.into_iter().take(max).map(|(s, l)| a[s..s + l].iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        prose(s)
    }

    #[test]
    fn identical_prose_is_one_and_different_prose_is_low() {
        let a = chars(
            "本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。\n2024年共收到申请12件。",
        );
        let b = chars(
            "本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。\n2023年共收到申请9件。",
        );
        assert_eq!(jaccard(&a, &b, 5), Some(1.0), "digits do not count");
        let c = chars("今年重点围绕乡村振兴、社会救助等领域，细化公开事项清单，按月更新村务公开栏目。");
        assert!(jaccard(&a, &c, 5).unwrap() < 0.1);
        assert_eq!(jaccard(&[], &c, 5), None);
    }

    #[test]
    fn passages_repeated_word_for_word_longest_first() {
        let same1 = "政务公开工作人员力量相对薄弱，专业化水平有待提高";
        let same2 = "下一步将加强业务培训并完善考核机制";
        let a = chars(&format!("一是{same1}。二是新情况。三是{same2}。\n"));
        let b = chars(&format!("其一{same2}。另外{same1}。\n"));
        let got = repeated_passages(&a, &b, 10, 3);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains(same1), "{got:?}");
        assert!(got[1].contains(same2), "{got:?}");
    }
}
