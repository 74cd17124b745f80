//! The simulated phone's messages (`pages/phone`), in zh-CN and English.

use super::*;

/// A message in the phone inbox, worded as the phone shows it.
pub fn message_text(locale: Locale, message: &Message) -> String {
    let sender = match (locale, message.from) {
        (Locale::ZhCn, Sender::Wallet) => "【数字钱包】",
        (Locale::En, Sender::Wallet) => "[Digital Wallet] ",
        (Locale::ZhCn, Sender::WeChat) => "【微信】",
        (Locale::En, Sender::WeChat) => "[WeChat] ",
    };
    match &message.body {
        Body::VerificationCode { code, purpose } => {
            let what = match (locale, purpose) {
                (Locale::ZhCn, Purpose::Register) => "注册",
                (Locale::En, Purpose::Register) => "registration",
                (Locale::ZhCn, Purpose::WeChatBind) => "授权绑定",
                (Locale::En, Purpose::WeChatBind) => "authorization",
            };
            match locale {
                Locale::ZhCn => format!("{sender}您的{what}验证码是 {code}，5 分钟内有效。请勿将验证码告诉他人。"),
                Locale::En => format!("{sender}Your {what} code is {code}, valid for 5 minutes. Never share it with anyone."),
            }
        }
    }
}

pub fn channel(locale: Locale, channel: Channel) -> &'static str {
    match (locale, channel) {
        (Locale::ZhCn, Channel::Sms) => "短信",
        (Locale::ZhCn, Channel::Email) => "邮件",
        (Locale::En, Channel::Sms) => "SMS",
        (Locale::En, Channel::Email) => "Email",
    }
}
