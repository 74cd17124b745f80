//! The labels of the wallet's screens beyond the door (`pages/wallet`:
//! settings, cards, money, history, 记账 and 理财, binding, choosing a
//! wallet), in zh-CN and English. Reached from those screens only (see
//! `Store::wallet_world_text`), so that they arrive with their module; the
//! door's own are in `wallet`.

use super::Locale;
use qianbao_core::ledger::Biller;

labels! {
    /// The wallet's screens beyond the door.
    pub struct WalletWorldText, ZH_CN, EN {
        signed_in_as = "登录账号", "Signed in as";
        registered_at = "注册时间", "Registered";
        account_management = "账户管理", "Account management";
        security = "安全", "Security";
        auto_lock = "闲置自动锁定", "Lock when idle";
        auto_lock_hint =
            "一段时间没有操作后锁定钱包，需输入密码解锁",
            "Lock the wallet after a while without activity; the password unlocks it";
        current_password = "原密码", "Current password";
        new_password = "新密码", "New password";
        new_password_again = "再次输入新密码", "New password again";
        password_changed =
            "密码已修改，下次登录请使用新密码。",
            "Password changed: use the new one next time you log in.";
        choose_intro =
            "按「如何选择合适的数字钱包」的四个标准——功能多样性、用户评价、安全性、兼容性——比较三家（虚构的）钱包服务商。说说你的情况，看看哪家最适合你，以及为什么。",
            "Compare three (fictional) wallet providers on the four criteria of “choosing the right digital wallet” — range of features, user reviews, security, compatibility. Say what you need and see which suits you best, and why.";
        compare_title = "并排比较", "Side by side";
        criterion = "标准", "Criterion";
        your_needs = "你的情况", "What you need";
        your_bank = "你的银行卡", "Your bank card";
        your_device = "你的手机或设备", "Your phone or device";
        no_preference = "不限", "Any";
        needed_features = "需要的功能", "Features you need";
        matters_most = "最看重", "What matters most";
        ranking_title = "推荐结果", "Recommendation";
        suits_you = "符合你的要求", "Meets your needs";
        does_not_suit = "不完全符合你的要求", "Does not meet all your needs";
        score_of: fn(u32) -> String = |n| format!("综合得分 {n}"), |n| format!("Score {n}");
        register_with: fn(&str) -> String =
            |name| format!("选择{name}并注册"),
            |name| format!("Register with {name}");
        transfer_limits = "转账限额（单笔 / 每日）", "Transfer limits (single / daily)";
        extra_confirmation_row = "商户额外确认", "Merchant extra confirmation";
        applies = "适用", "Applies";
        does_not_apply = "不适用", "Does not apply";
        licence_label = "支付业务许可证（虚构）", "Payment licence (fictional)";
        reviews_count: fn(u32) -> String = |n| format!("{n} 条评价"), |n| format!("{n} reviews");
        two_factor = "两步验证", "Two-step verification";
        two_factor_intro =
            "登录时除了密码，还需输入身份验证器 App（如腾讯身份验证器、Google Authenticator、Microsoft Authenticator）显示的 6 位动态码。",
            "Besides your password, signing in asks for the 6-digit code an authenticator app (Google Authenticator, Microsoft Authenticator, …) shows.";
        two_factor_turn_on = "开启两步验证", "Turn on two-step verification";
        two_factor_scan =
            "用身份验证器 App 扫描二维码；无法扫描时，手动输入下面的密钥（基于时间，30 秒）。",
            "Scan the QR code with your authenticator app; if it cannot scan, type the key below (time-based, 30 seconds).";
        two_factor_secret = "密钥", "Key";
        two_factor_qr = "两步验证设置二维码", "QR code for setting up two-step verification";
        two_factor_open_app = "在本机的身份验证器 App 中打开", "Open in an authenticator app on this device";
        two_factor_code = "动态码（6 位数字）", "Code (6 digits)";
        two_factor_confirm = "确认开启", "Confirm and turn on";
        two_factor_on: fn(&str, usize) -> String =
            |since, left| format!("已开启（{since}）。剩余恢复码 {left} 个。"),
            |since, left| format!("On since {since}. {left} recovery codes left.");
        two_factor_off = "未开启", "Off";
        two_factor_recovery_title = "恢复码（只显示这一次）", "Recovery codes (shown only this once)";
        two_factor_recovery_hint =
            "请抄写或打印并妥善保管。手机丢失时，每个恢复码可代替动态码登录一次。",
            "Write them down or print them and keep them safe. If you lose your phone, each one signs you in once instead of a code.";
        two_factor_recovery_done = "我已保存恢复码", "I have saved the codes";
        two_factor_turn_off = "关闭两步验证", "Turn off two-step verification";
        two_factor_off_password = "关闭两步验证需要输入登录密码。", "Turning it off needs your login password.";
        sign_in_first = "请先登录。", "Please log in first.";
        add_card = "添加银行卡", "Add bank card";
        card_number = "卡号", "Card number";
        to_wechat_hint =
            "从钱包余额转入已绑定微信账号的零钱",
            "From the wallet balance to the bound WeChat account's Change";
        cards_empty = "还没有银行卡。添加一张后就可以充值和提现。", "No bank cards yet. Add one to top up and withdraw.";
        card_holder = "持卡人", "Card holder";
        card_expiry = "有效期（月/年，如 12/30）", "Expiry (MM/YY, e.g. 12/30)";
        card_cvv = "安全码（卡背面 3 位数字）", "Security code (3 digits on the back)";
        card_privacy =
            "只保存卡号后四位；有效期和安全码仅用于校验，不会保存。持卡人须与实名一致。",
            "Only the last four digits are kept; expiry and security code are checked, never stored. The holder must be your real name.";
        card_funds_debit = "模拟银行卡余额", "Simulated card balance";
        card_funds_credit = "可用额度", "Available credit";
        default_card = "默认", "Default";
        set_default = "设为默认", "Make default";
        remove_card = "删除", "Remove";
        remove_card_confirm: fn(&str) -> String =
            |card| format!("确定删除银行卡 {card} 吗？交易记录会保留。"),
            |card| format!("Remove the card {card}? Its transactions stay in the history.");
        card_added = "银行卡已添加。", "Card added.";
        test_cards = "练习用的测试卡号（可直接复制）：", "Test card numbers for practice (copy one):";
        need_card = "请先添加一张银行卡。", "Add a bank card first.";
        from_card = "付款银行卡", "Pay from card";
        to_card = "到账银行卡（借记卡）", "To card (debit)";
        payee = "收款人手机号或邮箱", "Payee's mobile number or email";
        payee_hint = "收款人须是本模拟环境中的数字钱包用户", "The payee must be a digital wallet user in this sandbox";
        payee_label = "收款人", "Payee";
        note = "备注（选填）", "Note (optional)";
        biller = "缴费项目", "Bill";
        bill_account = "户号", "Account number";
        bill_account_hint: fn(Biller) -> &'static str =
            |biller| match biller {
                Biller::Electricity => "电费户号为 10 位数字，见电费单",
                Biller::Water => "水费户号为 8–10 位数字，见水费单",
                Biller::Mobile => "要充值的中国大陆手机号",
            },
            |biller| match biller {
                Biller::Electricity => "10 digits, printed on the electricity bill",
                Biller::Water => "8–10 digits, printed on the water bill",
                Biller::Mobile => "The mainland China mobile number to top up",
            };
        limits: fn(&str, &str) -> String =
            |single, daily| format!("单笔限额 {single}，每日限额 {daily}"),
            |single, daily| format!("Up to {single} at once, {daily} a day");
        another = "再来一笔", "Another one";
        review_title = "请确认", "Please confirm";
        back_to_edit = "返回修改", "Back to edit";
        done_title = "操作成功", "Done";
        balance_now = "当前余额", "Balance now";
        filter_kind = "类型", "Type";
        filter_month = "月份", "Month";
        load_more = "加载更多", "Load more";
        detail_title = "交易详情", "Transaction details";
        entry_no = "交易单号", "Transaction no.";
        time = "时间", "Time";
        counterpart = "对方", "Counterpart";
        status = "状态", "Status";
        status_success = "成功", "Succeeded";
        month_label: fn(i64, u32) -> String = |y, m| format!("{y}年{m}月"), |y, m| format!("{y}-{m:02}");
        bind_wechat = "绑定微信", "Bind WeChat";
        bind_success = "绑定成功", "Bound successfully";
        binding_management = "绑定管理", "Binding management";
        third_party_management = "第三方应用管理", "Third-party app management";
        payment_methods = "支付方式管理", "Payment methods";
        unbind = "解除绑定", "Unbind";
        unbind_confirm =
            "解除绑定后，将不能再通过微信使用数字钱包支付。钱包的其他功能不受影响。确定解除吗？",
            "After unbinding you can no longer pay with the wallet through WeChat. Everything else in the wallet keeps working. Unbind?";
        unbound_done = "已解除绑定。", "Unbound.";
        bind_intro =
            "点击后将跳转到微信，按提示登录并授权即可完成绑定。",
            "You will go to WeChat: log in and authorize to finish binding.";
        bound_to = "已绑定微信", "Bound to WeChat";
        wechat_nickname = "微信昵称", "WeChat nickname";
        wechat_id = "微信号", "WeChat ID";
        bound_at = "绑定时间", "Bound at";
        not_bound = "尚未绑定微信。", "Not bound to WeChat yet.";
        binding_in_progress =
            "正在绑定：请在微信中完成授权。",
            "Binding in progress: finish the authorization in WeChat.";
        binding_ended_unbound = "已解除与微信的绑定。", "The WeChat binding was removed.";
        binding_ended_revoked =
            "绑定已结束：已在微信中取消授权。",
            "The binding ended: the authorization was revoked in WeChat.";
        binding_now = "正在完成绑定…", "Finishing the binding…";
        bind_again = "重新绑定", "Bind again";
    }
}

/// This table in `locale`.
pub fn text(locale: Locale) -> &'static WalletWorldText {
    locale.pick(&ZH_CN, &EN)
}
