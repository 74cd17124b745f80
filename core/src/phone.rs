//! The simulated phone: an inbox where every SMS and e-mail the sandbox
//! sends arrives — verification codes above all.
//!
//! Each browser has a phone of its own: a message sent because of what
//! someone did in one browser (「获取验证码」) shows on that browser's phone
//! only, so people sharing a sandbox each see their own codes. A message
//! kept from before phones were per browser shows on every one.
//!
//! Messages are kept as structured content, not text, so the shell can word
//! them in the reader's language and the phone panel can offer a one-tap
//! "fill in" of the code. The inbox keeps the newest [`INBOX_CAPACITY`].

use crate::session::ClientId;
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
    /// The browser whose phone shows it (`None`: every browser's; the
    /// static site's own browser is stored so, as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientId>,
}

impl Message {
    /// Whether `client`'s phone shows this message.
    pub fn shown_to(&self, client: &ClientId) -> bool {
        self.client.as_ref().is_none_or(|c| c == client)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    messages: Vec<Message>,
    next_id: u64,
}

impl Inbox {
    /// A message to `to`, shown on `client`'s phone.
    pub fn deliver(
        &mut self,
        to: &str,
        channel: Channel,
        from: Sender,
        body: Body,
        now: Timestamp,
        client: &ClientId,
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
            client: (*client != ClientId::local()).then(|| client.clone()),
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

    /// What `client`'s phone shows, newest first.
    pub fn shown_to<'a>(&'a self, client: &'a ClientId) -> impl Iterator<Item = &'a Message> + 'a {
        self.newest_first().filter(move |m| m.shown_to(client))
    }

    /// Unread messages on `client`'s phone.
    pub fn unread(&self, client: &ClientId) -> usize {
        self.shown_to(client).filter(|m| !m.read).count()
    }

    /// `client`'s phone has been looked at.
    pub fn mark_all_read(&mut self, client: &ClientId) {
        for message in self.messages.iter_mut().filter(|m| m.shown_to(client)) {
            message.read = true;
        }
    }

    /// 「清空」 on `client`'s phone: its messages go (every browser's too).
    pub fn clear(&mut self, client: &ClientId) {
        self.messages.retain(|m| !m.shown_to(client));
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
        let here = ClientId::local();
        for n in 0..(INBOX_CAPACITY as u32 + 5) {
            inbox.deliver(
                "13800138000",
                Channel::Sms,
                Sender::Wallet,
                code(n),
                Timestamp::from_millis(n.into()),
                &here,
            );
        }
        assert_eq!(inbox.newest_first().count(), INBOX_CAPACITY);
        assert_eq!(
            inbox.newest_first().next().map(|m| m.id),
            Some(INBOX_CAPACITY as u64 + 4)
        );
        assert_eq!(inbox.unread(&here), INBOX_CAPACITY);
        inbox.mark_all_read(&here);
        assert_eq!(inbox.unread(&here), 0);
        assert!(inbox.is_consistent());
    }

    #[test]
    fn each_browser_sees_the_messages_it_caused() {
        let mut inbox = Inbox::default();
        let (a, b) = (
            ClientId::parse("browser-a").unwrap_or_default(),
            ClientId::parse("browser-b").unwrap_or_default(),
        );
        inbox.deliver(
            "13800138000",
            Channel::Sms,
            Sender::Wallet,
            code(1),
            Timestamp::from_millis(1),
            &a,
        );
        inbox.deliver(
            "13900139000",
            Channel::Sms,
            Sender::Wallet,
            code(2),
            Timestamp::from_millis(2),
            &b,
        );
        let codes = |c: &ClientId| -> Vec<String> {
            inbox
                .shown_to(c)
                .map(|m| match &m.body {
                    Body::VerificationCode { code, .. } => code.clone(),
                })
                .collect()
        };
        assert_eq!(codes(&a), vec!["000001"]);
        assert_eq!(codes(&b), vec!["000002"]);
        inbox.mark_all_read(&a);
        assert_eq!((inbox.unread(&a), inbox.unread(&b)), (0, 1));
        inbox.clear(&a);
        assert_eq!(inbox.newest_first().count(), 1, "b's message stays");
    }
}
