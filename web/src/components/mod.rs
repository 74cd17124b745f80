//! Pieces several screens share.

mod after_paint;
mod coach;
mod confirm;
mod error_box;
mod locale_switch;
mod messages;
mod phone_panel;
mod qr;

pub use after_paint::{after_paint, once_at_a_time};
pub use coach::{use_coach, Coach, CoachPanel, CoachStart, Guide};
pub use confirm::ConfirmBox;
pub use error_box::{ErrorBox, WordedErrorBox};
pub use locale_switch::LocaleSwitch;
pub use messages::MessageList;
pub use phone_panel::PhonePanel;
pub use qr::qr_svg;
