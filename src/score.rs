//! Rubric → item statuses and scores → the unit's provisional online score.
