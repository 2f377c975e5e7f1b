//! The official working-day calendar: 条例 第二十六条 gives 20 **working** days to publish, and working
//! days in China are not Monday to Friday: holidays fall on weekdays and 调休 make-up days on weekends.
//!
//! The data is `data/cn-workdays.yaml` (one State Council notice per year), embedded in the binary. A
//! date in a year the data does not cover is an [`UncoveredYear`] error: the tool never guesses.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use crate::yaml::{self, YamlError};

/// A date whose year the calendar data does not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the working-day calendar has no data for {year} (covered: {first}–{last})")]
pub struct UncoveredYear {
    /// The year asked about.
    pub year: i32,
    /// First covered year.
    pub first: i32,
    /// Last covered year.
    pub last: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    years: BTreeMap<i32, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    source: String,
    off: Vec<String>,
    work: Vec<String>,
}

/// Working days and days off, by year.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, String>,
    off: HashSet<NaiveDate>,
    work: HashSet<NaiveDate>,
}

static OFFICIAL: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::parse(Path::new("data/cn-workdays.yaml"), include_str!("../data/cn-workdays.yaml"))
        .expect("the embedded calendar is valid (tested)")
});

impl Calendar {
    /// The embedded official calendar.
    pub fn official() -> &'static Calendar {
        &OFFICIAL
    }

    /// Parses calendar YAML (the format of `data/cn-workdays.yaml`).
    pub fn parse(path: &Path, text: &str) -> Result<Calendar, YamlError> {
        let raw: RawCalendar = yaml::parse(path, text)?;
        let mut cal = Calendar { years: BTreeMap::new(), off: HashSet::new(), work: HashSet::new() };
        for (year, y) in raw.years {
            for spec in &y.off {
                let (from, to) = parse_range(spec).ok_or_else(|| bad(path, text, spec))?;
                let mut d = from;
                while d <= to {
                    cal.off.insert(d);
                    d = d.succ_opt().expect("dates in range");
                }
            }
            for spec in &y.work {
                let d = parse_day(spec).ok_or_else(|| bad(path, text, spec))?;
                if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    return Err(YamlError::at(
                        path,
                        line_of(text, spec),
                        format!("make-up day {spec} is not a weekend day"),
                    ));
                }
                cal.work.insert(d);
            }
            cal.years.insert(year, y.source);
        }
        if let Some(both) = cal.off.intersection(&cal.work).next() {
            return Err(YamlError::at(
                path,
                None,
                format!("{both} is listed both as off and as a working day"),
            ));
        }
        Ok(cal)
    }

    /// The years covered, first and last.
    pub fn covered(&self) -> Option<(i32, i32)> {
        Some((*self.years.keys().next()?, *self.years.keys().next_back()?))
    }

    /// The notice a year's data follows.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(String::as_str)
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, UncoveredYear> {
        if !self.years.contains_key(&date.year()) {
            let (first, last) = self.covered().unwrap_or((0, 0));
            return Err(UncoveredYear { year: date.year(), first, last });
        }
        Ok(if self.off.contains(&date) {
            false
        } else if self.work.contains(&date) {
            true
        } else {
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        })
    }

    /// Working days after `from` up to and including `to` (0 when `to <= from`): the count of the
    /// 条例's "N个工作日" from the day a document was written to the day it was published.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, UncoveredYear> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().expect("dates in range");
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn parse_range(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (parse_day(a)?, parse_day(b)?);
            (a <= b && (b - a).num_days() < 31).then_some((a, b))
        }
        None => parse_day(s).map(|d| (d, d)),
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn bad(path: &Path, text: &str, spec: &str) -> YamlError {
    YamlError::at(
        path,
        line_of(text, spec),
        format!("`{spec}` is not a date or a date range (YYYY-MM-DD..YYYY-MM-DD)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn make_up_weekends_are_working_days() {
        let cal = Calendar::official();
        // Sunday 2025-01-26 and Saturday 2025-02-08 were 调休 working days around the Spring Festival.
        assert_eq!(cal.is_working_day(d("2025-01-26")), Ok(true));
        assert_eq!(cal.is_working_day(d("2025-02-08")), Ok(true));
        // An ordinary Saturday is not.
        assert_eq!(cal.is_working_day(d("2025-03-15")), Ok(false));
        // A weekday inside the holiday is not.
        assert_eq!(cal.is_working_day(d("2025-01-29")), Ok(false));
        assert_eq!(cal.is_working_day(d("2026-02-14")), Ok(true));
        assert_eq!(cal.is_working_day(d("2026-10-10")), Ok(true));
    }

    #[test]
    fn counts_across_the_spring_festival() {
        let cal = Calendar::official();
        // 2025-01-24 (Fri) → 2025-02-10 (Mon): 01-26 (make-up Sun), 01-27, 02-05, 02-06, 02-07, 02-08 (make-up Sat), 02-10.
        assert_eq!(cal.working_days_between(d("2025-01-24"), d("2025-02-10")), Ok(7));
        // Plain Monday-Friday counting would say 11: the difference is what 调休 makes.
        assert_eq!(cal.working_days_between(d("2025-03-03"), d("2025-03-10")), Ok(5));
        assert_eq!(cal.working_days_between(d("2025-03-10"), d("2025-03-10")), Ok(0));
        assert_eq!(cal.working_days_between(d("2025-03-10"), d("2025-03-01")), Ok(0));
    }

    #[test]
    fn national_day_week_and_its_make_up_days() {
        let cal = Calendar::official();
        // 2024-09-27 (Fri) → 2024-10-14 (Mon): 09-29 (Sun, make-up), 09-30, 10-08, 10-09, 10-10, 10-11, 10-12 (Sat, make-up), 10-14.
        assert_eq!(cal.working_days_between(d("2024-09-27"), d("2024-10-14")), Ok(8));
    }

    #[test]
    fn years_outside_the_data_are_an_error_not_a_guess() {
        let cal = Calendar::official();
        let (first, last) = cal.covered().unwrap();
        assert_eq!((first, last), (2019, 2026));
        let err = cal.is_working_day(d("2027-01-04")).unwrap_err();
        assert_eq!(err.year, 2027);
        assert!(cal.working_days_between(d("2026-12-20"), d("2027-01-10")).is_err());
        assert!(cal.working_days_between(d("2018-12-20"), d("2019-01-10")).is_err());
        // The last day of the data still answers.
        assert_eq!(cal.is_working_day(d("2026-12-31")), Ok(true));
        assert_eq!(cal.is_working_day(d("2019-01-02")), Ok(true));
    }

    #[test]
    fn every_year_has_its_source_and_sane_counts() {
        let cal = Calendar::official();
        for year in 2019..=2026 {
            assert!(cal.source(year).is_some_and(|s| s.contains(&year.to_string())), "{year}");
            let days = (1..=365).filter_map(|o| NaiveDate::from_yo_opt(year, o));
            let working = days.filter(|&dd| cal.is_working_day(dd).unwrap()).count();
            // China has 248-251 working days a year.
            assert!((245..=252).contains(&working), "{year}: {working} working days");
        }
    }

    #[test]
    fn a_make_up_day_on_a_weekday_is_rejected_with_its_line() {
        let text = "years:\n  2030:\n    source: x\n    off: []\n    work: [2030-01-07]\n";
        let err = Calendar::parse(Path::new("cal.yaml"), text).unwrap_err();
        assert_eq!(err.line, Some(5));
    }
}
