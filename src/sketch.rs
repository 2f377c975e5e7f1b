//! A page's text in 1 KiB: which characters and pairs of adjacent characters occur in it, as bits of
//! a hashed bitmap. The checks ask it whether a word *may* occur before they search the text, so the
//! few dozen keyword groups of `checks/` each skip almost every page of a unit without reading it.
//!
//! Never a false "no": every character and pair of the text sets its bit, so a word whose bits are
//! not all set cannot be in the text. A "yes" can be wrong (bits set by other pairs); the caller then
//! searches the text as before. A very long text sets most bits and simply filters less.

/// Bits in a sketch (a power of two).
const BITS: usize = 8192;
const WORDS: usize = BITS / 64;
/// log2 of [`BITS`].
const SHIFT: u32 = BITS.trailing_zeros();

/// The character bitmap of one text (see the module documentation).
#[derive(Clone, PartialEq, Eq)]
pub struct TextSketch {
    bits: Box<[u64; WORDS]>,
}

impl std::fmt::Debug for TextSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        write!(f, "TextSketch({set}/{BITS} bits set)")
    }
}

/// The bit of one character.
fn single(c: char) -> usize {
    ((u64::from(c) | 1 << 40).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHIFT)) as usize
}

/// The bit of two adjacent characters.
fn pair(a: char, b: char) -> usize {
    ((u64::from(a) << 21 | u64::from(b)).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> (64 - SHIFT)) as usize
}

impl TextSketch {
    /// The sketch of `text`.
    pub fn of(text: &str) -> TextSketch {
        TextSketch::of_all([text])
    }

    /// One sketch of several texts: a word of any of them may occur.
    pub fn of_all<'a>(texts: impl IntoIterator<Item = &'a str>) -> TextSketch {
        let mut bits = Box::new([0u64; WORDS]);
        let mut set = |i: usize| bits[i / 64] |= 1 << (i % 64);
        for text in texts {
            let mut prev: Option<char> = None;
            for c in text.chars() {
                set(single(c));
                if let Some(p) = prev {
                    set(pair(p, c));
                }
                prev = Some(c);
            }
        }
        TextSketch { bits }
    }

    fn has(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// False only when `word` certainly does not occur in the text (an empty word occurs in every
    /// text).
    pub fn may_contain(&self, word: &str) -> bool {
        let mut chars = word.chars();
        let Some(mut prev) = chars.next() else {
            return true;
        };
        if !self.has(single(prev)) {
            return false;
        }
        for c in chars {
            if !self.has(pair(prev, c)) {
                return false;
            }
            prev = c;
        }
        true
    }

    /// Whether any of `words` may occur (see [`TextSketch::may_contain`]).
    pub fn may_contain_any<S: AsRef<str>>(&self, words: &[S]) -> bool {
        words.iter().any(|w| self.may_contain(w.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_substring_may_occur_and_absent_words_mostly_do_not() {
        let text = "本机关2024年度政府信息公开工作年度报告：保密审查制度已印发。Open data 目录 ① x";
        let s = TextSketch::of(text);
        let chars: Vec<char> = text.chars().collect();
        // Never a false "no": every substring of the text.
        for i in 0..chars.len() {
            for j in i..=chars.len() {
                let w: String = chars[i..j].iter().collect();
                assert!(s.may_contain(&w), "{w:?} is in the text");
            }
        }
        // Words not in the text: with a text this short, each is ruled out by its bits.
        for w in ["公众参与", "依申请公开", "制度汇编", "data目录", "审查保密", "Z"] {
            assert!(!s.may_contain(w), "{w:?} is not in the text, and the sketch is sparse");
        }
        assert!(s.may_contain_any(&["无关", "年度报告"]));
        assert!(!s.may_contain_any(&["无关", "其他"]));
        assert!(!s.may_contain_any::<&str>(&[]));
        let both = TextSketch::of_all(["政务公开", "年度报告"]);
        assert!(both.may_contain("政务公开") && both.may_contain("年度报告"));
    }

    #[test]
    fn long_texts_never_rule_out_their_own_words() {
        // A pseudo-random text of 20,000 characters from 400 ideographs: most bits set, no false "no".
        let mut x: u32 = 12345;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let chars: Vec<char> = (0..20_000).map(|_| char::from_u32(0x4E00 + next() % 400).unwrap()).collect();
        let text: String = chars.iter().collect();
        let s = TextSketch::of(&text);
        for _ in 0..5_000 {
            let at = next() as usize % (chars.len() - 8);
            let len = 1 + next() as usize % 8;
            let w: String = chars[at..at + len].iter().collect();
            assert!(s.may_contain(&w), "{w:?} is in the text");
        }
    }
}
