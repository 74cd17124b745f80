//! The simulated phone: an inbox where every SMS and e-mail the sandbox
//! sends arrives — verification codes above all.
//!
//! Messages are kept as structured content, not text, so the shell can word
//! them in the reader's language and the phone panel can offer a one-tap
//! "fill in" of the code. The inbox keeps the newest [`INBOX_CAPACITY`].

use crate::time::Timestamp;
use crate::verification::Purpose;
use serde::{Deserialize, Serialize};

pub const INBOX_CAPACITY: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

/// Who a message is from, as the phone shows it (【数字钱包】, 【微信】).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    Wallet,
    WeChat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    VerificationCode { code: String, purpose: Purpose },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: u64,
    /// The address it was sent to, in normal form.
    pub to: String,
    pub channel: Channel,
    pub from: Sender,
    pub body: Body,
    pub sent_at: Timestamp,
    pub read: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    messages: Vec<Message>,
    next_id: u64,
}

impl Inbox {
    pub fn deliver(
        &mut self,
        to: &str,
        channel: Channel,
        from: Sender,
        body: Body,
        now: Timestamp,
    ) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        self.messages.push(Message {
            id,
            to: to.to_owned(),
            channel,
            from,
            body,
            sent_at: now,
            read: false,
        });
        if self.messages.len() > INBOX_CAPACITY {
            let excess = self.messages.len() - INBOX_CAPACITY;
            self.messages.drain(..excess);
        }
        id
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Message> {
        self.messages.iter().rev()
    }

    pub fn unread(&self) -> usize {
        self.messages.iter().filter(|m| !m.read).count()
    }

    pub fn mark_all_read(&mut self) {
        for message in &mut self.messages {
            message.read = true;
        }
    }

    pub fn clear(&mut self) {
        self.messages.clear();
    }

    pub(crate) fn is_consistent(&self) -> bool {
        self.messages.len() <= INBOX_CAPACITY && self.messages.iter().all(|m| m.id < self.next_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: u32) -> Body {
        Body::VerificationCode {
            code: format!("{n:06}"),
            purpose: Purpose::Register,
        }
    }

    #[test]
    fn keeps_the_newest_messages() {
        let mut inbox = Inbox::default();
        for n in 0..(INBOX_CAPACITY as u32 + 5) {
            inbox.deliver(
                "13800138000",
                Channel::Sms,
                Sender::Wallet,
                code(n),
                Timestamp::from_millis(n.into()),
            );
        }
        assert_eq!(inbox.newest_first().count(), INBOX_CAPACITY);
        assert_eq!(
            inbox.newest_first().next().map(|m| m.id),
            Some(INBOX_CAPACITY as u64 + 4)
        );
        assert_eq!(inbox.unread(), INBOX_CAPACITY);
        inbox.mark_all_read();
        assert_eq!(inbox.unread(), 0);
        assert!(inbox.is_consistent());
    }
}
