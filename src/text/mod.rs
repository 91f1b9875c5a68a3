//! Text utilities shared by the stages: character classes answered from a
//! table ([`chars`]), word counts and the normal form lines are compared in
//! ([`words`]), the date parser ([`dates`]) and the function words of each
//! language ([`stopwords`]).

pub mod chars;
pub mod dates;
pub mod stopwords;
pub mod words;
