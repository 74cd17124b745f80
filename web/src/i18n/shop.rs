//! The merchants' labels (`pages/shop`), in zh-CN and English.

use super::Locale;

labels! {
    /// The merchants' screens.
    pub struct ShopText, ZH_CN, EN {
        wechat_pay = "微信支付", "WeChat Pay";
        shops_title = "商家（模拟）", "Shops (simulated)";
        shops_intro =
            "在这些模拟商家练习用「微信支付」和已绑定的数字钱包付款。",
            "Practise paying with “WeChat Pay” and the bound digital wallet at these simulated shops.";
        extra_confirmation_note: fn(&str) -> String =
            |from| format!("满 {from} 时，数字钱包会要求再次确认支付信息"),
            |from| format!("From {from} the wallet asks you to confirm the payment again");
        add_to_cart = "加入购物车", "Add to cart";
        cart = "购物车", "Cart";
        cart_empty = "购物车是空的。", "The cart is empty.";
        checkout = "去结算", "Check out";
        order_no = "订单号", "Order no.";
        order_total = "订单金额", "Order total";
        merchant_orders = "商家订单", "Merchant orders";
        no_orders = "还没有订单。", "No orders yet.";
        order_state_name: fn(&str) -> &'static str =
            |s| match s {
                "NOTPAY" => "未支付",
                "USERPAYING" => "用户支付中",
                "SUCCESS" => "支付成功",
                "PAYERROR" => "支付失败",
                "CLOSED" => "已关闭",
                _ => "已退款",
            },
            |s| match s {
                "NOTPAY" => "Not paid",
                "USERPAYING" => "Paying",
                "SUCCESS" => "Paid",
                "PAYERROR" => "Payment failed",
                "CLOSED" => "Closed",
                _ => "Refunded",
            };
        refund = "退款", "Refund";
        qr_caption = "也可以用微信「扫一扫」扫码支付（二维码内容如下）：", "Or pay with WeChat “Scan” (the QR code holds this):";
        refund_amount = "退款金额", "Refund amount";
        refundable: fn(&str) -> String =
            |left| format!("可退 {left}"),
            |left| format!("{left} refundable");
        refund_done: fn(&str) -> String =
            |amount| format!("已退款 {amount}，原路退回数字钱包。"),
            |amount| format!("Refunded {amount} to the digital wallet that paid.");
        notified: fn(u32) -> String =
            |n| format!("收到支付通知 {n} 次，已处理一次"),
            |n| format!("Payment notification received {n} times, processed once");
    }
}

/// This table in `locale` (reached from the world's own code, so that it
/// arrives with the world).
pub fn text(locale: Locale) -> &'static ShopText {
    locale.pick(&ZH_CN, &EN)
}
