//! QR codes as inline SVG (the `qrcode` crate): the pay link at checkout,
//! the `otpauth://` URI of two-step verification.

/// The SVG markup of a QR code for `content`; empty if it is too long to encode.
/// The markup is generated here from modules (no text of `content` appears
/// in it), so it is safe to set as inner HTML.
pub fn qr_svg(content: &str) -> String {
    qrcode::QrCode::new(content.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(176, 176)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}
