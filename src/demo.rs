//! `zwgk-audit demo`: serves the bundled fixture site on 127.0.0.1 and audits it.
