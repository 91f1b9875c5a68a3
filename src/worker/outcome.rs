//! The fate of one message, decided by a pure function.
//!
//! Handling a message is a short sequence of steps: run the pipeline, then
//! publish the article or dead-letter the input, then acknowledge it or hand
//! it back. [`decide`] says what comes next after each [`Event`]; the
//! worker only carries the steps out (a publish, an ack, a nak). Nothing
//! here touches the network, so every branch is tested without a broker.

use std::time::Duration;

use crate::error::{ErrorKind, PipelineError};
use crate::nats::PublishError;

/// What became of a message, once handling it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The article was published (and acknowledged by the output stream).
    Published {
        /// The output stream already had this article (a redelivery).
        duplicate: bool,
    },
    /// The original payload was published to the dead-letter subject.
    DeadLettered {
        /// Why.
        kind: ErrorKind,
        /// The dead-letter stream already had it (a redelivery).
        duplicate: bool,
    },
    /// A transient failure: hand the message back for redelivery.
    Retry {
        /// Delay before redelivery.
        delay: Duration,
        /// What failed.
        reason: String,
    },
}

/// What just happened while handling a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The pipeline made an article; as JSON it is `bytes` long.
    Article {
        /// Size of the article as it would be published.
        bytes: usize,
    },
    /// The pipeline could not make an article (a permanent error).
    Failed(PipelineError),
    /// The output stream stored the article.
    ArticleStored {
        /// It already had it (same `Nats-Msg-Id`).
        duplicate: bool,
    },
    /// Publishing the article failed.
    ArticleNotStored(PublishError),
    /// The dead-letter stream stored the input.
    DeadLetterStored {
        /// Why the input was dead-lettered.
        kind: ErrorKind,
        /// It already had it (same `Nats-Msg-Id`).
        duplicate: bool,
    },
    /// Publishing the dead letter failed.
    DeadLetterNotStored(PublishError),
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Publish the article to its output subject.
    PublishArticle,
    /// Publish the input to the dead-letter subject, for this reason.
    DeadLetter(PipelineError),
    /// Handling is over: acknowledge (or hand back) the input.
    Done(Outcome),
}

/// What the decision depends on besides the event: this delivery and the
/// limits of the consumer and the server.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// How many times the message has been delivered (1 the first time).
    pub delivered: i64,
    /// `worker.max_deliver`: the last delivery the consumer allows.
    pub max_deliver: i64,
    /// The largest message the server accepts.
    pub max_message: usize,
    /// `worker.backoff`: the delay before the n-th redelivery.
    pub backoff: &'a [Duration],
}

impl Attempt<'_> {
    /// The delay before the next delivery.
    fn delay(&self) -> Duration {
        let i = usize::try_from(self.delivered.max(1) - 1).unwrap_or(usize::MAX);
        self.backoff
            .get(i)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(1))
    }
}

/// The next step after `event`.
///
/// - An article too big for the server, or refused as too big, is a
///   `too_large` dead letter; any other permanent pipeline error is a dead
///   letter of its kind.
/// - A transient failure to publish the article is retried with the
///   backoff, and dead-lettered as `max_deliveries` on the last delivery
///   the consumer allows.
/// - A failure to store the dead letter is retried with the backoff.
pub fn decide(event: Event, attempt: &Attempt<'_>) -> Step {
    match event {
        Event::Failed(err) => Step::DeadLetter(err),
        Event::Article { bytes } if bytes > attempt.max_message => {
            Step::DeadLetter(PipelineError::new(
                ErrorKind::TooLarge,
                format!(
                    "the article is {bytes} bytes as JSON, over the server's max_payload of {}",
                    attempt.max_message
                ),
            ))
        }
        Event::Article { .. } => Step::PublishArticle,
        Event::ArticleStored { duplicate } => Step::Done(Outcome::Published { duplicate }),
        Event::ArticleNotStored(e) if e.is_permanent() => {
            Step::DeadLetter(PipelineError::new(ErrorKind::TooLarge, e.to_string()))
        }
        Event::ArticleNotStored(e) if attempt.delivered >= attempt.max_deliver => {
            Step::DeadLetter(PipelineError::new(
                ErrorKind::MaxDeliveries,
                format!(
                    "gave up after {} deliveries; last error: {e}",
                    attempt.delivered
                ),
            ))
        }
        Event::ArticleNotStored(e) => Step::Done(Outcome::Retry {
            delay: attempt.delay(),
            reason: e.to_string(),
        }),
        Event::DeadLetterStored { kind, duplicate } => {
            Step::Done(Outcome::DeadLettered { kind, duplicate })
        }
        Event::DeadLetterNotStored(e) => Step::Done(Outcome::Retry {
            delay: attempt.delay(),
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: &[Duration] = &[Duration::from_secs(1), Duration::from_secs(5)];

    fn attempt(delivered: i64) -> Attempt<'static> {
        Attempt {
            delivered,
            max_deliver: 3,
            max_message: 1000,
            backoff: BACKOFF,
        }
    }

    fn transient() -> PublishError {
        PublishError::transient("publishing the article to news.articles.en failed: timed out")
    }

    #[test]
    fn an_article_is_published_and_then_the_input_acknowledged() {
        assert_eq!(
            decide(Event::Article { bytes: 10 }, &attempt(1)),
            Step::PublishArticle
        );
        assert_eq!(
            decide(Event::ArticleStored { duplicate: true }, &attempt(1)),
            Step::Done(Outcome::Published { duplicate: true })
        );
    }

    #[test]
    fn a_permanent_error_is_a_dead_letter_of_its_kind() {
        let err = PipelineError::new(ErrorKind::EmptyContent, "no text");
        assert_eq!(
            decide(Event::Failed(err.clone()), &attempt(1)),
            Step::DeadLetter(err)
        );
        assert_eq!(
            decide(
                Event::DeadLetterStored {
                    kind: ErrorKind::EmptyContent,
                    duplicate: false
                },
                &attempt(1)
            ),
            Step::Done(Outcome::DeadLettered {
                kind: ErrorKind::EmptyContent,
                duplicate: false
            })
        );
    }

    #[test]
    fn an_article_over_the_servers_limit_is_too_large() {
        let Step::DeadLetter(err) = decide(Event::Article { bytes: 1001 }, &attempt(1)) else {
            panic!("not a dead letter");
        };
        assert_eq!(err.kind, ErrorKind::TooLarge);
        assert!(err.message.contains("1001 bytes"), "{}", err.message);
        let refused = PublishError::permanent("max payload size exceeded");
        let Step::DeadLetter(err) = decide(Event::ArticleNotStored(refused), &attempt(1)) else {
            panic!("not a dead letter");
        };
        assert_eq!(err.kind, ErrorKind::TooLarge);
    }

    #[test]
    fn a_transient_publish_failure_is_retried_with_backoff_until_the_last_delivery() {
        assert_eq!(
            decide(Event::ArticleNotStored(transient()), &attempt(1)),
            Step::Done(Outcome::Retry {
                delay: Duration::from_secs(1),
                reason: transient().to_string()
            })
        );
        // Past the list, the last delay repeats.
        let Step::Done(Outcome::Retry { delay, .. }) =
            decide(Event::ArticleNotStored(transient()), &attempt(2))
        else {
            panic!("not a retry");
        };
        assert_eq!(delay, Duration::from_secs(5));
        let Step::DeadLetter(err) = decide(Event::ArticleNotStored(transient()), &attempt(3))
        else {
            panic!("not a dead letter");
        };
        assert_eq!(err.kind, ErrorKind::MaxDeliveries);
        assert!(err
            .message
            .starts_with("gave up after 3 deliveries; last error: publishing the article"));
    }

    #[test]
    fn a_dead_letter_that_cannot_be_stored_is_retried() {
        let e = PublishError::transient("publishing the dead letter to news.dlq.internal failed");
        assert_eq!(
            decide(Event::DeadLetterNotStored(e.clone()), &attempt(3)),
            Step::Done(Outcome::Retry {
                delay: Duration::from_secs(5),
                reason: e.to_string()
            })
        );
    }
}
