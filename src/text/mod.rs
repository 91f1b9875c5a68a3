//! Text utilities shared by the stages: character classes answered from a
//! table ([`chars`]), word counts and the normal form lines are compared in
//! ([`words`]), and the date parser ([`dates`]).

pub mod chars;
pub mod dates;
pub mod words;
