//! The whole pipeline for a units file: crawl, extract, check, score, report.
