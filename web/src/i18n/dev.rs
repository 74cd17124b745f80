//! The developer console's labels (`pages/dev`), in zh-CN and English.

use super::*;

labels! {
    /// The developer console.
    pub struct DevText, ZH_CN, EN {
        dev_title = "开发者控制台", "Developer console";
        dev_intro =
            "查看模拟请求与响应，注入故障，快进时钟，导出或导入数据。",
            "See simulated requests and responses, inject faults, move the clock, export or import data.";
        dev_log = "请求日志", "Request log";
        dev_log_empty = "还没有请求。", "No requests yet.";
        dev_request = "请求", "Request";
        dev_response = "响应", "Response";
        dev_faults = "故障注入", "Fault injection";
        dev_network_next = "接下来 N 次请求网络失败", "Network failure on the next N requests";
        dev_busy_next = "接下来 N 次请求返回系统繁忙（-1）", "System busy (-1) on the next N requests";
        dev_apply = "应用", "Apply";
        dev_latency = "每次请求的延迟（毫秒）", "Latency of every request (ms)";
        dev_faults_now: fn(u32, u32, u32) -> String =
            |n, b, l| format!("当前：网络失败 {n} 次，系统繁忙 {b} 次，延迟 {l} 毫秒"),
            |n, b, l| format!("Now: {n} network failures, {b} system busy, {l} ms latency");
        dev_clock = "模拟时钟", "Simulated clock";
        dev_clock_now: fn(&str, u64) -> String =
            |t, mins| format!("模拟时间 {t}（快进了 {mins} 分钟）"),
            |t, mins| format!("Simulated time {t} ({mins} minutes ahead)");
        dev_advance: fn(&str) -> String = |by| format!("快进 {by}"), |by| format!("Advance {by}");
        dev_clock_reset = "恢复真实时间", "Back to real time";
        dev_data = "数据", "Data";
        dev_export = "导出 JSON", "Export JSON";
        dev_import = "导入 JSON", "Import JSON";
        dev_imported = "导入成功。", "Imported.";
        dev_reset = "重置全部数据", "Reset all data";
        dev_reset_confirm =
            "确定清空本浏览器中的全部模拟数据吗？此操作不可撤销（可先导出）。",
            "Erase all simulated data in this browser? This cannot be undone (export first).";
        dev_clear_log = "清空日志", "Clear log";
        dev_merchants = "商户与应用", "Merchants and apps";
        dev_notify_plan = "支付通知", "Payment notifications";
        dev_limited = "接下来 N 次商户后台调用返回 FREQUENCY_LIMITED（429）", "FREQUENCY_LIMITED (429) on the merchant backends' next N calls";
        dev_limited_apply = "应用频率限制", "Apply the frequency limit";
        dev_limited_bad = "须为 0 到 99 之间的整数。", "A whole number from 0 to 99.";
        dev_limited_now: fn(u32) -> String = |n| format!("当前：还有 {n} 次"), |n| format!("Now: {n} more");
        dev_notify_apply = "应用通知设置", "Apply to notifications";
        dev_notify_duplicate = "每条通知发送两次", "Send every notification twice";
        dev_notify_delay = "首次通知延迟（秒，0–3600）", "Delay of the first notification (seconds, 0–3600)";
        dev_notify_reorder = "同时到期的通知倒序发送", "Send notifications due together newest first";
        dev_notify_delay_bad = "延迟须为 0 到 3600 之间的整数秒。", "The delay is a whole number of seconds from 0 to 3600.";
        dev_notify_now: fn(bool, u32, bool) -> String =
            |d, s, r| format!("当前：{}，延迟 {s} 秒，{}", if d { "重复发送" } else { "各发一次" }, if r { "倒序" } else { "按付款顺序" }),
            |d, s, r| format!("Now: {}, {s} s delay, {}", if d { "sent twice" } else { "sent once" }, if r { "newest first" } else { "in payment order" });
        dev_merchants_intro =
            "在沙盒服务器上注册的商户及其应用：商户后台用商户号、appid 和注册时给出的密钥调用微信支付 v3 与网页授权接口，付款和授权在本站完成。",
            "Merchants and their apps registered with the sandbox server: a merchant's backend calls WeChat Pay v3 and WeChat's web authorization with the merchant ID (mchid), the appid and the keys given at registration; people pay and consent in this site.";
        dev_merchants_static =
            "只有由沙盒服务器（./scripts/sandbox.sh）提供本站时，才能在这里注册商户。",
            "Merchants can be registered here only when the sandbox server (./scripts/sandbox.sh) serves this site.";
        dev_merchants_none = "还没有商户。", "No merchants yet.";
        dev_merchant_name = "商户名称", "Merchant name";
        dev_notify_url = "支付通知地址（notify_url）", "Payment notification URL (notify_url)";
        dev_redirect_domain = "网页授权域名（主机[:端口]）", "Web authorization domain (host[:port])";
        dev_register = "注册商户", "Register the merchant";
        dev_platform = "平台证书与微信支付公钥", "Platform certificates and WeChat Pay public keys";
        dev_platform_intro =
            "像微信支付一样轮换平台密钥：先发布新的（两个同时有效，旧的仍在签名），再切换（新的签名；按公钥 ID 验签的后台仍收到它所用公钥的签名），最后停用旧的。",
            "Rotate the platform key as WeChat Pay does: publish a new one (both valid, the old one still signing), switch (the new one signs; a backend that verifies by public key id still gets answers signed with the key it names), then retire the old one.";
        dev_stage_active = "签名中", "Signing";
        dev_stage_next = "已发布，尚未签名", "Published, not signing yet";
        dev_stage_retiring = "已被替换，停用前仍有效", "Replaced, valid until retired";
        dev_public_key = "公钥（PEM）", "Public key (PEM)";
        dev_rotate_start = "发布新密钥", "Publish a new key";
        dev_rotate_switch = "切换到新密钥", "Switch to the new key";
        dev_rotate_retire = "停用旧密钥", "Retire the old key";
        dev_rotate_under_way = "轮换进行中：请先切换到新密钥，或停用旧密钥。", "A rotation is under way: switch to the new key, or retire the old one, first.";
        dev_rotate_nothing_to_switch = "没有可切换的新密钥：请先发布新密钥。", "There is no new key to switch to: publish one first.";
        dev_rotate_nothing_to_retire = "没有要停用的旧密钥：请先切换到新密钥。", "There is no old key to retire: switch to the new key first.";
        dev_rotate_failed = "沙盒服务器暂时无法完成，请重试。", "The sandbox server could not do it now; try again.";
        dev_credentials =
            "请立即保存以下凭据：商户私钥只显示这一次，沙盒不保存它。",
            "Save these credentials now: the merchant's private key is shown only this once; the sandbox does not keep it.";
        dev_register_name = "商户名称须为 1–32 个字符。", "A merchant name has 1 to 32 characters.";
        dev_register_notify_url =
            "通知地址须为以 http:// 或 https:// 开头、带主机名、不含 # 的网址（最多 255 个字符）。",
            "The notification URL must start with http:// or https://, name a host, and have no # (at most 255 characters).";
        dev_register_redirect_domain =
            "授权域名须为主机名或 IP 地址，可带 :端口，例如 127.0.0.1:3000。",
            "The domain must be a host name or IP address with an optional :port, such as 127.0.0.1:3000.";
        dev_register_full = "沙盒最多保存 100 个商户。", "The sandbox keeps at most 100 merchants.";
        dev_register_server =
            "沙盒服务器没有完成注册，请查看它的日志后重试。",
            "The sandbox server did not complete the registration: look at its log and try again.";
        dev_merchant_orders: fn(usize) -> String =
            |n| format!("API 订单 {n} 笔（下面是最近付款的和最近下单的各至多 10 笔）"),
            |n| format!("{n} API orders (below, up to 10 paid last and 10 placed last)");
        dev_merchant_faults: fn(u32, u32, u32) -> String =
            |n, l, b| format!("此商户自己的故障（测试助手 faults）：接下来网络失败 {n} 次、FREQUENCY_LIMITED {l} 次、SYSTEM_ERROR {b} 次"),
            |n, l, b| format!("This merchant's own faults (test helper faults): next {n} network failures, {l} FREQUENCY_LIMITED, {b} SYSTEM_ERROR");
        dev_order_notified: fn(usize, bool) -> String =
            |n, ok| format!("通知 {n} 次{}", if ok { "，商户已确认" } else { "" }),
            |n, ok| format!("notified {n} times{}", if ok { ", acknowledged" } else { "" });
        dev_resend_notify = "重发通知", "Send the notification again";
        dev_check = "接入检查", "Integration check";
        dev_check_running = "正在检查…", "Checking…";
        dev_check_failed = "沙盒服务器没有完成检查，请重试。", "The sandbox server did not complete the check; try again.";
        dev_check_verdict: fn(bool, &str) -> String =
            |ok, url| if ok { format!("通过：{url} 对每个探测都做出了正确的应答。") } else { format!("未通过：{url} 接受了不该接受的通知，或拒绝了正确的通知（见下表 ✗）。") },
            |ok, url| if ok { format!("Passed: {url} answered every probe rightly.") } else { format!("Failed: {url} accepted a notification it should refuse, or refused a right one (✗ below).") };
        dev_check_probe = "探测", "Probe";
        dev_check_expected = "应当", "Should";
        dev_check_answered = "应答", "Answered";
        dev_check_ack = "确认（2xx）", "acknowledge (2xx)";
        dev_check_refuse = "拒绝（非 2xx）", "refuse (not 2xx)";
        dev_probe_valid = "正确的通知", "A right notification";
        dev_probe_duplicate = "同一通知重发", "The same notification again";
        dev_probe_signtest = "WECHATPAY/SIGNTEST/ 签名探测", "A WECHATPAY/SIGNTEST/ signature";
        dev_probe_forged = "伪造的签名", "A forged signature";
        dev_probe_stale = "一小时前的时间戳", "A timestamp an hour old";
        dev_probe_unknown_serial = "未知的证书序列号或公钥 ID", "An unknown serial or public key id";
        dev_probe_tampered = "被篡改的密文", "A tampered ciphertext";
        dev_refunds = "退款", "Refunds";
        dev_refunds_intro =
            "商户后台申请的退款先是 PROCESSING（处理中），约 10 秒（模拟时钟）后自动 SUCCESS；也可以在这里让它退款成功、退款异常（ABNORMAL）或退款关闭（CLOSED）。每个结果都会发送退款通知（REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED）到退款的 notify_url，未确认时按微信的频率重试。",
            "A refund a merchant's backend asks for is PROCESSING first and SUCCESS by itself about 10 seconds later (on the simulated clock); here you can make it succeed, become ABNORMAL or CLOSED instead. Each outcome is notified (REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED) to the refund's notify_url, retried on WeChat's schedule until acknowledged.";
        dev_refunds_hold = "新退款停在处理中（PROCESSING），由我在此决定结果", "Keep new refunds PROCESSING until I decide them here";
        dev_refunds_apply = "应用退款设置", "Apply to refunds";
        dev_refunds_hold_now: fn(bool) -> String =
            |h| format!("当前：{}", if h { "退款停在处理中，等待决定" } else { "退款约 10 秒后自动成功" }),
            |h| format!("Now: {}", if h { "refunds wait PROCESSING for a decision" } else { "refunds succeed by themselves after about 10 seconds" });
        dev_refunds_none = "还没有商户后台的退款。", "No refunds from a merchant's backend yet.";
        dev_refund_success = "退款成功", "Refund succeeds";
        dev_refund_abnormal = "退款异常", "Refund abnormal";
        dev_refund_closed = "退款关闭", "Refund closed";
    }
}

/// This table in `locale` (reached from the world's own code, so that it
/// arrives with the world).
pub fn text(locale: Locale) -> &'static DevText {
    locale.pick(&ZH_CN, &EN)
}

// ── worded errors and names ──────────────────────────────────────────────

/// How the developer console names an endpoint.
pub fn endpoint(endpoint: Endpoint) -> String {
    format!("{} {}", endpoint.method(), endpoint.path())
}

/// A fault plan the console refused: the field, as labelled, and its range.
pub fn faults_error(locale: Locale, error: &FaultsError) -> ErrorText {
    let FaultsError::OutOfRange { field } = error;
    let t = text(locale);
    let label = match field {
        FaultField::Network => t.dev_network_next,
        FaultField::Busy => t.dev_busy_next,
        FaultField::Latency => t.dev_latency,
    };
    let max = grouped(field.max());
    let message = match locale {
        Locale::ZhCn => format!("「{label}」须为 0 到 {max} 的整数，未做任何更改。"),
        Locale::En => {
            format!("“{label}” takes a whole number from 0 to {max}; nothing was changed.")
        }
    };
    ErrorText::new(locale, error, message)
}

/// `10000` as `10,000`.
pub(crate) fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
