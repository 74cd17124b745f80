//! The help centre's entries in zh-CN and English. The five FAQ entries are
//! the article's section 三 (1–5) word for word in Chinese; three more cover
//! what the article leaves implicit.

use super::Locale;
use qianbao_core::help::Topic;

/// One help entry's body: an introduction, the points, a closing line.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub intro: &'static str,
    pub points: &'static [&'static str],
    pub closing: &'static str,
}

/// An entry's title: alone, for the links every error box shows (the
/// entries' bodies arrive with the help centre's module).
pub fn title(locale: Locale, topic: Topic) -> &'static str {
    match (locale, topic) {
        (Locale::ZhCn, Topic::BindErrors) => "1. 为什么绑定时显示错误提示？",
        (Locale::En, Topic::BindErrors) => "1. Why does binding show an error?",
        (Locale::ZhCn, Topic::Pay) => "2. 绑定后如何进行支付？",
        (Locale::En, Topic::Pay) => "2. How do I pay once bound?",
        (Locale::ZhCn, Topic::Unbind) => "3. 如何解除绑定？",
        (Locale::En, Topic::Unbind) => "3. How do I unbind?",
        (Locale::ZhCn, Topic::Security) => "4. 绑定的安全性如何保证？",
        (Locale::En, Topic::Security) => "4. How is binding kept safe?",
        (Locale::ZhCn, Topic::Choose) => "5. 如何选择合适的数字钱包？",
        (Locale::En, Topic::Choose) => "5. How do I choose the right digital wallet?",
        (Locale::ZhCn, Topic::Account) => "注册与登录",
        (Locale::En, Topic::Account) => "Registering and logging in",
        (Locale::ZhCn, Topic::Money) => "银行卡、金额与限额",
        (Locale::En, Topic::Money) => "Cards, amounts and limits",
        (Locale::ZhCn, Topic::Storage) => "本机数据",
        (Locale::En, Topic::Storage) => "Data on this device",
        (Locale::ZhCn, Topic::MerchantApi) => "商户后台：微信支付 API 的错误",
        (Locale::En, Topic::MerchantApi) => "Merchant backends: WeChat Pay API errors",
    }
}

pub fn entry(locale: Locale, topic: Topic) -> Entry {
    match (locale, topic) {
        (Locale::ZhCn, Topic::BindErrors) => Entry {
            intro: "有时候在绑定过程中，用户可能会遇到错误提示。这通常是由于以下原因造成的：",
            points: &[
                "网络：确保你的设备连接正常的网络，建议使用 Wi-Fi 连接进行操作。",
                "信息不匹配：确保你输入的微信帐号或数字钱包帐户信息准确无误。如需，请重新输入并核实。",
                "微信设置：检查你的微信设置中是否已允许第三方应用的权限，如果未允许，需要手动开启。",
            ],
            closing: "若以上措施均无效，建议尝试重启软件或设备，或联系客服查询具体的错误码。",
        },
        (Locale::En, Topic::BindErrors) => Entry {
            intro: "Sometimes an error appears while binding. It is usually one of these:",
            points: &[
                "Network: make sure your device has a working connection; Wi-Fi is recommended.",
                "Information mismatch: make sure the WeChat account and the wallet account details are exactly right. If needed, re-enter and check them.",
                "WeChat settings: check that WeChat allows third-party apps; if not, turn it on.",
            ],
            closing: "If none of this helps, restart the app or the device, or contact customer service with the error code.",
        },
        (Locale::ZhCn, Topic::Pay) => Entry {
            intro: "绑定成功后，用户可以通过以下步骤使用数字钱包进行支付：",
            points: &[
                "选择商家：在需要付款的商家处，选择“微信支付”选项。",
                "选择数字钱包支付：在微信支付界面中，通常会显示已绑定的支付方式，选择你的数字钱包。",
                "确认支付：检查支付金额，确认后完成支付，系统会提示支付成功。",
            ],
            closing: "此外，对于某些特定的商家，可能会有额外的步骤要求用户再次确认数字钱包内的支付信息。",
        },
        (Locale::En, Topic::Pay) => Entry {
            intro: "Once bound, pay with the digital wallet in these steps:",
            points: &[
                "Choose the merchant: where you pay, choose “WeChat Pay”.",
                "Choose the digital wallet: WeChat Pay shows the bound payment methods; choose your wallet.",
                "Confirm: check the amount and confirm; you are told the payment succeeded.",
            ],
            closing: "Some merchants add a step asking you to confirm the payment again in the wallet.",
        },
        (Locale::ZhCn, Topic::Unbind) => Entry {
            intro: "如果用户希望解除数字钱包与微信的绑定，可以按照以下步骤操作：",
            points: &[
                "进入数字钱包设置：打开数字钱包应用，进入个人资料或设置选项。",
                "找到绑定管理：选择“绑定管理”或“第三方应用管理”选项。",
                "解除绑定：在绑定的微信项下，选择“解除绑定”或“取消授权”。",
                "确认操作：系统可能要求确认操作，确保选择确认后完成即可。",
            ],
            closing: "解除绑定后，用户依然可以使用数字钱包的其他功能，但将不再直接通过微信进行相关支付。",
        },
        (Locale::En, Topic::Unbind) => Entry {
            intro: "To unbind the digital wallet from WeChat:",
            points: &[
                "Open the wallet's settings: in the wallet app, open your profile or Settings.",
                "Find binding management: choose “Binding management” or “Third-party app management”.",
                "Unbind: under the bound WeChat, choose “Unbind” or “Revoke authorization”.",
                "Confirm: you may be asked to confirm; confirm and it is done.",
            ],
            closing: "After unbinding, the wallet's other features still work, but you no longer pay with it through WeChat.",
        },
        (Locale::ZhCn, Topic::Security) => Entry {
            intro: "在绑定数字钱包与微信的过程中，用户的隐私及资金安全尤为重要。以下为一些保障措施：",
            points: &[
                "安全验证：在首次绑定时，微信会发送验证码或要求进行二次验证，以确保是本人操作。",
                "数据加密：大多数数字钱包应用倾向于使用数据加密技术来保护用户信息，减少被黑客攻击的风险。",
                "随时撤销许可：用户可以随时在微信或数字钱包的设置中解除绑定或权限，确保信息安全。",
                "强密码保护：使用强密码、启用双重认证等方法来提高帐户安全性。",
            ],
            closing: "通过这些措施，用户的金融信息与隐私可以更好的得到保护。",
        },
        (Locale::En, Topic::Security) => Entry {
            intro: "Privacy and the safety of your money matter most when binding a wallet to WeChat. These measures protect them:",
            points: &[
                "Verification: on the first binding, WeChat sends a code or asks for a second check, to be sure it is you.",
                "Data encryption: most wallet apps encrypt your data, reducing the risk of attacks.",
                "Revoke any time: unbind or withdraw permission in WeChat's or the wallet's settings whenever you like.",
                "Strong passwords: use a strong password and turn on two-step verification.",
            ],
            closing: "Together these protect your financial information and privacy.",
        },
        (Locale::ZhCn, Topic::Choose) => Entry {
            intro: "在众多的数字钱包中，如何选择适合自己的产品是用户经常面临的课题。以下是一些选购建议：",
            points: &[
                "功能多样性：选择功能全面的数字钱包，如支持多种支付方式、理财增值等服务。",
                "用户评价：查阅各大应用商店或论坛的用户评价，了解其他用户的使用体验。",
                "安全性：关注钱包提供商的安全措施、运营历史以及是否持有相关的监管许可。",
                "兼容性：确保你选择的数字钱包可以与自己的设备和所用的银行服务兼容，不产生支付困难。",
            ],
            closing: "通过综合考虑以上因素，可以更好地选择出适合自己的数字钱包。",
        },
        (Locale::En, Topic::Choose) => Entry {
            intro: "With so many wallets, choosing the one that suits you is a common question. Some advice:",
            points: &[
                "Range of features: choose a full-featured wallet, e.g. several ways to pay, savings and more.",
                "User reviews: read reviews in app stores and forums to learn from other users' experience.",
                "Security: look at the provider's security measures, track record and regulatory licences.",
                "Compatibility: make sure the wallet works with your device and your bank, so paying is never a problem.",
            ],
            closing: "Weighing all of these helps you choose the wallet that suits you.",
        },
        (Locale::ZhCn, Topic::Account) => Entry {
            intro: "注册数字钱包需要中国大陆手机号或邮箱、验证码、真实姓名和密码：",
            points: &[
                "验证码发送到模拟「手机」（右下角 📱），5 分钟内有效，最多输错 5 次，60 秒后可重新获取。",
                "真实姓名需与绑定的微信实名一致，否则绑定时会提示信息不匹配。",
                "已注册的手机号或邮箱请直接登录；忘记用哪个注册时，可在登录页查看本浏览器中的账户。",
            ],
            closing: "登录密码连续输错 5 次，账户锁定 15 分钟。",
        },
        (Locale::En, Topic::Account) => Entry {
            intro: "Registering needs a mainland China mobile number or an e-mail address, a code, your real name and a password:",
            points: &[
                "The code arrives on the simulated Phone (📱, bottom right), works for 5 minutes and 5 tries; a new one can be asked for after 60 seconds.",
                "Your real name must match the one verified in WeChat, or binding reports an information mismatch.",
                "A number or address already registered logs in instead; the login page lists the accounts in this browser.",
            ],
            closing: "5 wrong passwords in a row lock the account for 15 minutes.",
        },
        (Locale::ZhCn, Topic::Money) => Entry {
            intro: "钱包里的钱以「分」为单位精确记账，每笔交易都完整执行或完全不执行：",
            points: &[
                "金额可写 12、12.3、12.34 或 ¥12.34，最多两位小数，不能为负数或 0。",
                "银行卡号按 Luhn 校验，持卡人必须是本人实名；只保存卡号后四位，有效期和安全码（CVV）核对后即丢弃。",
                "每种交易都有单笔和每日限额（按北京时间计日），由你的钱包服务商决定。",
                "同一次提交重复点击只会执行一次。",
            ],
            closing: "余额不足时，请先充值或减少金额。",
        },
        (Locale::En, Topic::Money) => Entry {
            intro: "The wallet keeps money exactly, in fen, and every transaction happens whole or not at all:",
            points: &[
                "Write amounts as 12, 12.3, 12.34 or ¥12.34: at most two decimals, never negative or zero.",
                "Card numbers are checked (Luhn) and the holder must be you; only the last four digits are kept, expiry and CVV are checked and forgotten.",
                "Each kind of transaction has a single and a daily limit (days in China Standard Time), set by your wallet provider.",
                "Pressing a button twice for one submission does it once.",
            ],
            closing: "If the balance is too low, top up first or move less.",
        },
        (Locale::ZhCn, Topic::Storage) => Entry {
            intro: "这个模拟环境的所有数据都保存在本浏览器的 localStorage 中：",
            points: &[
                "每一段数据都带有校验和，并记着是哪一次保存写入的：被改动、截断、删除、换成较旧的副本（W-STORE-STALE）、缺了一部分（W-STORE-MISSING）或混入其他钱包的数据（W-STORE-FOREIGN）都会被发现，并在要求输入密码之前显示恢复页面；钱包不会用这样的数据覆盖任何记录。",
                "恢复页面可以导出全部保存的数据、导入一份完整的备份（有问题的文件会被拒绝，不改动任何数据），或在重新开始前把全部数据另存一份。",
                "同时打开多个标签页不会丢失操作：同一时刻只有一个标签页写入，并且总是在最新的数据上写入，两个标签页同时点「确认」会得到两个不同的交易单号。一个标签页退出或锁定，其他标签页也会随之退出或锁定。",
                "存储空间已满时操作不会执行，已保存的数据不会丢失；可在开发者控制台导出后清理。",
            ],
            closing: "这是模拟环境：不涉及真实资金。",
        },
        (Locale::En, Topic::Storage) => Entry {
            intro: "Everything in this sandbox is kept in this browser's localStorage:",
            points: &[
                "Every part of the data carries a checksum and names the save that wrote it: anything altered, cut short, deleted, replaced by an older copy (W-STORE-STALE), missing a part (W-STORE-MISSING) or mixed with another wallet's data (W-STORE-FOREIGN) is noticed, and the recovery screen shows before any password is asked; the wallet never writes over a record with such data.",
                "The recovery screen exports everything stored, imports a whole backup (a bad file is refused and changes nothing), or keeps a copy of everything before starting again.",
                "Several tabs open at once lose nothing: one tab writes at a time, always on the newest data, so two tabs pressing “Confirm” at once get two transaction numbers. Logging out or locking in one tab does so in all.",
                "When storage is full, nothing is done and nothing saved is lost; export from the developer console, then clear.",
            ],
            closing: "This is a simulation: no real money is involved.",
        },
        (Locale::ZhCn, Topic::MerchantApi) => Entry {
            intro: "沙箱服务器（qianbao-sandbox）按微信支付 API v3 的规则回答商户后台，错误为 HTTP 状态码加 {code, message}：",
            points: &[
                "SIGN_ERROR（401）：Authorization 缺失或格式不对、商户证书序列号不对、时间戳与当前相差超过 5 分钟、nonce_str 重复使用，或签名不对——签名串为请求方法、带查询参数的 URL、时间戳、随机串和原样的请求体，各占一行并以换行结尾。",
                "MCH_NOT_EXISTS、APPID_MCHID_NOT_MATCH：签名的商户号未在本沙箱注册（qianbao-sandbox merchant add），或 appid 不是该商户的应用。",
                "OUT_TRADE_NO_USED（403）：这个商户订单号已用于字段不同的订单；同一请求重发会得到同一结果。ORDER_NOT_EXIST、RESOURCE_NOT_EXISTS（404）：本商户没有这个订单或退款单。",
                "INVALID_REQUEST：退款的订单未支付、退款超过 50 次、out_refund_no 已用于其他金额，或退款金额超过订单可退金额（「申请退款金额超过订单可退金额」；NOT_ENOUGH 在微信支付是商户自己的账户余额不足）。",
                "退款先是 PROCESSING（处理中），约 10 秒（模拟时钟）后 SUCCESS；开发者控制台「退款」可让它停在处理中，或决定 ABNORMAL（退款异常，钱仍在途，之后可成功或关闭）、CLOSED（退款关闭，钱回到商户）。每个结果都发退款通知（REFUND.SUCCESS、REFUND.ABNORMAL、REFUND.CLOSED，resource 以 associated_data「refund」加密）到退款的 notify_url（未填时为商户的通知地址），未确认则按支付通知的频率重试。W-REFUND-NONE：没有这个退款单；W-REFUND-ENDED：退款已成功或已关闭，结果不能再改。",
                "接入检查（开发者控制台「商户与应用」或 qianbao-sandbox check）：向商户的通知地址发送正确的通知、同一通知重发（都应确认 2xx），以及 WECHATPAY/SIGNTEST/ 签名、伪造签名、一小时前的时间戳、未知序列号、被篡改的密文（都应拒绝）；✗ 表示后台接受了伪造的通知或拒绝了正确的通知——请验签、检查时间戳（不超过 5 分钟）并在解密失败时拒绝。",
                "FREQUENCY_LIMITED（429）、SYSTEM_ERROR（500）、NETWORK（504，无响应体）：由开发者控制台的故障计划按次注入；请用同一订单号重试。",
                "JSAPI_…（页面里的 getBrandWCPayRequest 回调 get_brand_wcpay_request:fail，err_desc 说明原因）：JSAPI_PAY_SIGN「支付验证签名失败」——paySign 须用商户私钥对 appId、timeStamp、nonceStr、package 各占一行并以换行结尾做 SHA256-RSA 签名；JSAPI_APPID_MISMATCH：prepay_id 是另一个 appId 的订单；JSAPI_ORDER_PAID、JSAPI_ORDER_CLOSED：订单已支付或已关闭；JSAPI_PARAM、JSAPI_SIGN_TYPE（须为 RSA）、JSAPI_PACKAGE（须为 prepay_id=…）、JSAPI_APPID、JSAPI_ORDER_NOT_EXIST：参数不对。",
            ],
            closing: "每次调用及其结果都记录在开发者控制台（/dev）的日志中；完整列表见错误目录。",
        },
        (Locale::En, Topic::MerchantApi) => Entry {
            intro: "The sandbox server (qianbao-sandbox) answers a merchant's backend by WeChat Pay API v3's rules; an error is an HTTP status with {code, message}:",
            points: &[
                "SIGN_ERROR (401): the Authorization header is missing or malformed, the certificate serial is wrong, the timestamp is more than 5 minutes off, the nonce_str was used before, or the signature is wrong — it signs the method, the URL with its query, the timestamp, the nonce and the exact body, one per line, each ending in a newline.",
                "MCH_NOT_EXISTS, APPID_MCHID_NOT_MATCH: the signing merchant is not registered with this sandbox (qianbao-sandbox merchant add), or the appid is not its app.",
                "OUT_TRADE_NO_USED (403): the number already names an order with other fields; the same request sent again gets the same answer. ORDER_NOT_EXIST, RESOURCE_NOT_EXISTS (404): this merchant has no such order or refund.",
                "INVALID_REQUEST: the refunded order is not paid, it has had 50 refunds, the out_refund_no was used for another amount, or the refund is more than what is left to refund (「申请退款金额超过订单可退金额」; WeChat Pay's NOT_ENOUGH means the merchant's own balance is short).",
                "A refund is PROCESSING first and SUCCESS about 10 seconds later on the simulated clock; the developer console's “Refunds” can keep it PROCESSING, or decide ABNORMAL (the money still on its way; it can later succeed or close) or CLOSED (the money back with the merchant). Each outcome is notified (REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED, the resource encrypted with associated_data “refund”) to the refund's notify_url (or the merchant's), retried on the payment notifications' schedule until acknowledged. W-REFUND-NONE: no such refund; W-REFUND-ENDED: the refund already succeeded or closed, its outcome cannot change.",
                "The integration check (the console's “Merchants and apps”, or qianbao-sandbox check) sends the merchant's notify URL a right notification and the same again (both to be acknowledged, 2xx), then a WECHATPAY/SIGNTEST/ signature, a forged one, a timestamp an hour old, an unknown serial and a tampered ciphertext (each to be refused); ✗ means the backend took a forged notification or refused a right one — verify the signature, check the timestamp (5 minutes at most), and refuse what does not decrypt.",
                "FREQUENCY_LIMITED (429), SYSTEM_ERROR (500), NETWORK (504, no body): injected call by call by the developer console's fault plan; retry with the same order number.",
                "JSAPI_… (a page's getBrandWCPayRequest answered get_brand_wcpay_request:fail, err_desc saying why): JSAPI_PAY_SIGN 「支付验证签名失败」 — paySign is SHA256-RSA by the merchant's private key over appId, timeStamp, nonceStr and package, each on its own line ending in a newline; JSAPI_APPID_MISMATCH: the prepay_id is another appId's order; JSAPI_ORDER_PAID, JSAPI_ORDER_CLOSED: the order is paid or closed; JSAPI_PARAM, JSAPI_SIGN_TYPE (must be RSA), JSAPI_PACKAGE (must be prepay_id=…), JSAPI_APPID, JSAPI_ORDER_NOT_EXIST: a parameter is wrong.",
            ],
            closing: "Every call and its answer is in the developer console's log (/dev); the error catalogue lists them all.",
        },
    }
}
