//! The longer flows: the binding callback, paying and refunding orders,
//! 理财, and two-step login.

use super::*;

impl Sim {
    /// The wallet's callback page, opened with a redirect (or a tampered one).
    pub(crate) fn callback(&mut self, person: usize, how: Callback) -> Result<Outcome, String> {
        let flow = &self.w.people[person].flow;
        let redirect = match how {
            Callback::Redirect => flow.redirect.clone(),
            Callback::Forged => flow
                .redirect
                .as_ref()
                .map(|r| r.replace("state=", "state=f")),
            Callback::Reload => flow.bound_via.clone(),
            Callback::OldCode => match (&flow.bound_via, &flow.url) {
                (Some(old), Some(url)) if param(old, "state") != param(url, "state") => {
                    Some(format!(
                        "{}/bind/callback?code={}&state={}",
                        site().origin,
                        param(old, "code").unwrap_or_default(),
                        param(url, "state").unwrap_or_default()
                    ))
                }
                _ => None,
            },
        };
        let Some(redirect) = redirect else {
            return Ok(Outcome::Skipped);
        };
        let me = or_return!(self.sign_in(person));
        let code = param(&redirect, "code");
        let state = param(&redirect, "state").unwrap_or_default();
        let wechat_before = self.w.state.wechat().clone();
        let binding_before = self.w.state.binding(me);
        let now = self.now();
        let result =
            self.w
                .state
                .complete_binding(code.as_deref(), &state, now, &mut self.core_rng);
        let binding = self.w.state.binding(me);
        match result {
            Ok(()) => {
                if binding_before.bound().is_some() {
                    ensure(
                        binding == binding_before && *self.w.state.wechat() == wechat_before,
                        || "a reloaded callback changed the binding".to_owned(),
                    )?;
                    self.stats.checked("a reloaded callback was recognised");
                    return Ok(Outcome::Done);
                }
                ensure(matches!(how, Callback::Redirect), || {
                    format!("a {how:?} callback bound the wallet")
                })?;
                let live = binding.bound().is_some_and(|b| {
                    self.w
                        .state
                        .wechat()
                        .has_live_grant(QIANBAO_APPID, &b.openid)
                });
                ensure(live, || {
                    format!("the callback succeeded, leaving {binding:?}")
                })?;
                let flow = &mut self.w.people[person].flow;
                flow.bound_via = Some(redirect);
                flow.redirect = None;
                Ok(Outcome::Done)
            }
            Err(error) => {
                ensure(*self.w.state.wechat() == wechat_before, || {
                    format!("a failed callback ({}) changed WeChat's side", error.code())
                })?;
                let transient = matches!(
                    error,
                    BindError::WeChat(WeChatError::Network | WeChatError::SystemBusy)
                );
                if transient {
                    ensure(binding == binding_before, || {
                        format!("a network failure ({}) changed the binding", error.code())
                    })?;
                    self.stats
                        .checked("a callback network failure changed nothing");
                }
                Ok(refused(&error))
            }
        }
    }

    pub(crate) fn order_ref(&self, index: usize) -> Option<(MerchantId, String)> {
        self.w
            .state
            .order_book()
            .get(index)
            .map(|o| (o.merchant, o.out_trade_no.clone()))
    }

    /// WeChat Pay's cashier: log in, open it, choose a method, 「确认支付」.
    pub(crate) fn pay(
        &mut self,
        order: usize,
        payer: usize,
        method: Method,
        key: PayKey,
        wrong_password: bool,
        confirm: Confirm,
    ) -> Result<Outcome, String> {
        let Some(current) = self.w.state.order_book().get(order).cloned() else {
            return Ok(Outcome::Skipped);
        };
        let (merchant, no) = (current.merchant, current.out_trade_no.clone());
        let creds = or_return!(self.wechat_in(payer, payer));
        let now = self.now();
        let choice = key;
        let repeat = matches!(choice, PayKey::Repeat);
        let key = match (&current.paid, choice) {
            (Some(paid), PayKey::Repeat) => paid.key.clone(),
            _ => self.fresh_key(),
        };
        if !repeat {
            // The cashier page itself refuses a paid or closed order.
            or_return!(self.w.state.open_cashier(merchant, &no, now).or_refuse());
        }
        let method = match method {
            Method::Change => PayMethod::Change,
            Method::Wallet => {
                let offered = self
                    .w
                    .state
                    .pay_methods()
                    .into_iter()
                    .find(|m| matches!(m, PayMethod::Wallet(_)));
                match offered.or_else(|| {
                    self.w
                        .people
                        .iter()
                        .find_map(|q| q.wallet)
                        .map(PayMethod::Wallet)
                }) {
                    Some(method) => method,
                    None => return Ok(Outcome::Skipped),
                }
            }
        };
        let pay_password = if wrong_password {
            other_code(&creds.pay_password)
        } else {
            creds.pay_password.clone()
        };
        let (source, wallet_password) = match method {
            PayMethod::Wallet(id) => (
                LedgerAccount::Wallet(id),
                match confirm {
                    Confirm::Password => self
                        .w
                        .people
                        .iter()
                        .find(|q| q.wallet == Some(id))
                        .map(|q| q.password.clone()),
                    Confirm::Wrong => Some("Wrong2026pass".to_owned()),
                    Confirm::Skip => None,
                },
            ),
            PayMethod::Change => (LedgerAccount::WeChatChange(creds.id), None),
        };
        let source_before = self.w.state.ledger().balance(source);
        let before = self.w.state.ledger().len();
        let request = PayRequest {
            merchant,
            out_trade_no: &no,
            method: Some(method),
            pay_password: &pay_password,
            wallet_password: wallet_password.as_deref(),
            key: &key,
        };
        let result = self.w.state.pay_order(request, now);
        // The merchant's extra confirmation applies only with a provider
        // that has it, and the provider's limit to its wallets' payments.
        if let PayMethod::Wallet(id) = method {
            let provider = self.w.state.provider_of(id);
            let needs = provider.extra_confirmation
                && merchant
                    .demo()
                    .is_some_and(|m| m.needs_extra_confirmation(current.amount));
            let limit = provider.policy.limit(MovementKind::Payment);
            let holds = match &result {
                Err(PayError::NeedsConfirmation) => needs,
                Ok(_) if current.paid.is_none() => {
                    (wallet_password.is_some() || !needs) && current.amount <= limit.single
                }
                _ => true,
            };
            ensure(holds, || {
                format!(
                    "paying {} from a {:?} wallet (confirmation {needs}) gave {result:?}",
                    current.amount.get(),
                    provider.id
                )
            })?;
            if result.is_ok() && wallet_password.is_none() && provider.extra_confirmation {
                self.stats
                    .checked("a payment below the threshold needed no confirmation");
            }
        }
        let paid = or_return!(result.or_refuse());
        let after = self.w.state.ledger().len();
        if let Some(first) = &current.paid {
            ensure(paid == *first && after == before, || {
                format!("a repeated pay request for {no} gave {paid:?}, first {first:?}")
            })?;
            self.stats
                .checked("a repeated pay request returned the first payment");
            return Ok(Outcome::Done);
        }
        let stored = self
            .w
            .state
            .order(merchant, &no)
            .map(|o| (o.state, o.paid.clone()));
        ensure(
            after == before + 1 && stored == Some((OrderState::Success, Some(paid.clone()))),
            || {
                format!(
                    "paying {no} posted {} entries and left {stored:?}",
                    after - before
                )
            },
        )?;
        let source_after = self.w.state.ledger().balance(source);
        ensure(
            source_before.get() - source_after.get() == current.amount.get(),
            || format!("paying {no} took {source_before:?} → {source_after:?} from {source}"),
        )?;
        if matches!(choice, PayKey::Twice) {
            let again = self.w.state.pay_order(request, now);
            ensure(
                again.as_ref() == Ok(&paid) && self.w.state.ledger().len() == after,
                || format!("「确认支付」 twice with {key} gave {again:?}, first {paid:?}"),
            )?;
            self.stats.checked("a doubled pay request took effect once");
        }
        Ok(Outcome::Done)
    }

    pub(crate) fn refund(
        &mut self,
        order: usize,
        amount: RefundAmount,
        number: RefundNo,
    ) -> Result<Outcome, String> {
        let Some(current) = self.w.state.order_book().get(order).cloned() else {
            return Ok(Outcome::Skipped);
        };
        let left = current.refundable().get();
        let mut fen = match amount {
            RefundAmount::Full => left.max(1),
            RefundAmount::Part(permille) => (left * permille / 1000).max(1),
            RefundAmount::TooMuch => left + 1,
        };
        let last = current.refunds.last().cloned();
        let (refund_no, repeat) = match (number, &last) {
            (RefundNo::Repeat, Some(last)) => {
                fen = last.amount.get();
                (last.out_refund_no.clone(), true)
            }
            (RefundNo::RepeatOther, Some(last)) => {
                fen = last.amount.get() + 1;
                (last.out_refund_no.clone(), true)
            }
            _ => (format!("RF{:010}", self.next_serial()), false),
        };
        let destination = current.paid.as_ref().map(|paid| match paid.method {
            PayMethod::Wallet(id) => LedgerAccount::Wallet(id),
            PayMethod::Change => LedgerAccount::WeChatChange(paid.payer),
        });
        let balance = |sim: &Sim| destination.map(|d| sim.w.state.ledger().balance(d).get());
        let destination_before = balance(self);
        let before = self.w.state.ledger().len();
        let now = self.now();
        let result = self.w.state.refund_order(
            current.merchant,
            &current.out_trade_no,
            &refund_no,
            &Fen::new(fen).plain(),
            now,
        );
        let refund = or_return!(result.or_refuse());
        let after = self.w.state.ledger().len();
        if repeat {
            ensure(Some(&refund) == last.as_ref() && after == before, || {
                format!("refund number {refund_no} again gave {refund:?}, first {last:?}")
            })?;
            self.stats
                .checked("a repeated refund number returned the first refund");
            return Ok(Outcome::Done);
        }
        let destination_after = balance(self);
        ensure(
            after == before + 1
                && refund.amount.get() == fen
                && destination_after
                    .zip(destination_before)
                    .map(|(a, b)| a - b)
                    == Some(fen),
            || {
                format!("refund {refund_no} of {fen} moved {destination_before:?} → {destination_after:?}")
            },
        )?;
        Ok(Outcome::Done)
    }
}

impl Sim {
    /// 「转入理财」 / 「转出理财」 with a key: refused by a provider without
    /// 理财; else interest brought up to date, then one entry of the amount
    /// (once per key: the same key again moves nothing, with other
    /// content it is refused).
    pub(crate) fn savings(
        &mut self,
        person: usize,
        into: bool,
        amount: &str,
        choice: SavingsKey,
    ) -> Result<Outcome, String> {
        let me = or_return!(self.sign_in(person));
        let offers = self.w.state.provider_of(me).offers(Feature::Wealth);
        let earlier: Vec<SavingsReceipt> = self
            .w
            .savings
            .iter()
            .filter(|r| r.person == person)
            .cloned()
            .collect();
        let (key, amount, into, repeat) = match choice {
            SavingsKey::Fresh | SavingsKey::Twice => {
                (self.fresh_key(), amount.to_owned(), into, None)
            }
            SavingsKey::Repeat | SavingsKey::RepeatOther => {
                if earlier.is_empty() {
                    return Ok(Outcome::Skipped);
                }
                let first = earlier[self.below(earlier.len())].clone();
                let same = matches!(choice, SavingsKey::Repeat);
                let fen = first.amount.get() + i64::from(!same);
                (first.key, Fen::new(fen).plain(), first.into, Some(same))
            }
        };
        let savings = LedgerAccount::Savings(me);
        let wallet = LedgerAccount::Wallet(me);
        let ledger = self.w.state.ledger();
        let (len, saved, held) = (
            ledger.len(),
            ledger.balance(savings),
            ledger.balance(wallet),
        );
        let now = self.now();
        let result = self.w.state.move_savings(&key, &amount, into, now);
        let after = self.w.state.ledger().len();
        if !offers {
            ensure(matches!(result, Err(FinanceError::NotOffered)), || {
                format!("理财 with a provider without it gave {result:?}")
            })?;
            self.stats
                .checked("a provider refused what it does not offer");
            return Ok(Outcome::Refused("W-PROVIDER-FEATURE"));
        }
        match repeat {
            Some(true) => {
                let balance = self.w.state.ledger().balance(savings);
                ensure(result == Ok(balance) && after == len, || {
                    format!(
                        "savings key {key} again gave {result:?} and posted {} entries",
                        after - len
                    )
                })?;
                self.stats.checked("a savings key again moved nothing");
                return Ok(Outcome::Done);
            }
            Some(false) => {
                ensure(
                    matches!(result, Err(FinanceError::KeyReused)) && after == len,
                    || format!("savings key {key} with other content gave {result:?}"),
                )?;
                self.stats
                    .checked("a savings key with other content was refused");
                return Ok(Outcome::Refused("W-KEY-REUSED"));
            }
            None => {}
        }
        let balance = match result {
            Ok(balance) => balance,
            Err(error) => {
                ensure(after == len, || {
                    format!(
                        "a refused savings movement ({}) posted entries",
                        error.code()
                    )
                })?;
                return Ok(refused(&error));
            }
        };
        let fen = Fen::parse_positive(&amount).map_err(|e| format!("{amount:?} moved: {e}"))?;
        let ledger = self.w.state.ledger();
        let new = &ledger.entries()[len..];
        let interest: i64 = new
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Interest { .. }))
            .map(|e| e.net_for(savings).get())
            .sum();
        let last = new.last();
        let kind_ok = last.is_some_and(|e| {
            e.key.as_deref() == Some(key.as_str())
                && matches!(
                    (into, &e.kind),
                    (true, EntryKind::SavingsIn) | (false, EntryKind::SavingsOut)
                )
        });
        let sign = if into { 1 } else { -1 };
        ensure(
            kind_ok
                && new[..new.len() - 1]
                    .iter()
                    .all(|e| matches!(e.kind, EntryKind::Interest { .. }))
                && balance == ledger.balance(savings)
                && balance.get() == saved.get() + interest + sign * fen.get()
                && ledger.balance(wallet).get() == held.get() - sign * fen.get(),
            || {
                format!(
                    "moving {} {} savings: {} → {}, wallet {} → {}, entries {new:?}",
                    fen.get(),
                    if into { "into" } else { "out of" },
                    saved.get(),
                    balance.get(),
                    held.get(),
                    ledger.balance(wallet).get()
                )
            },
        )?;
        if matches!(choice, SavingsKey::Twice) {
            let again = self.w.state.move_savings(&key, &amount, into, now);
            ensure(
                again == Ok(balance) && self.w.state.ledger().len() == after,
                || format!("「确认」 twice with {key} gave {again:?}, first {balance:?}"),
            )?;
            self.stats
                .checked("a doubled savings movement took effect once");
        }
        if self.w.savings.len() >= 32 {
            self.w.savings.remove(0);
        }
        self.w.savings.push(SavingsReceipt {
            person,
            key,
            amount: fen,
            into,
        });
        Ok(Outcome::Done)
    }

    /// The 理财 screen: interest of every whole CST day since the last
    /// accrual, one entry per day with interest, on the balance as it
    /// compounds; the next day to credit is today (or the cap).
    pub(crate) fn accrue(&mut self, person: usize) -> Result<Outcome, String> {
        let Some(me) = self.w.people[person].wallet else {
            return Ok(Outcome::Skipped);
        };
        let provider = self.w.state.provider_of(me);
        let savings = LedgerAccount::Savings(me);
        let next = self.w.state.savings_next_day(me);
        let (len, saved) = (
            self.w.state.ledger().len(),
            self.w.state.ledger().balance(savings),
        );
        let now = self.now();
        let result = self.w.state.accrue_interest(me, now);
        if !provider.offers(Feature::Wealth) {
            ensure(matches!(result, Err(FinanceError::NotOffered)), || {
                format!("accruing with a provider without 理财 gave {result:?}")
            })?;
            return Ok(Outcome::Refused("W-PROVIDER-FEATURE"));
        }
        let credited = or_return!(result.or_refuse());
        let ledger = self.w.state.ledger();
        let new: Vec<(i64, i64)> = ledger.entries()[len..]
            .iter()
            .map(|e| match e.kind {
                EntryKind::Interest { day } => (day, e.net_for(savings).get()),
                _ => (i64::MIN, 0),
            })
            .collect();
        let Some(first) = next else {
            ensure(new.is_empty() && credited == Fen::ZERO, || {
                format!("accruing without savings credited {new:?}")
            })?;
            return Ok(Outcome::Skipped);
        };
        let until = first.max(day_cst(now).min(first + MAX_ACCRUAL_DAYS));
        let mut expected = Vec::new();
        let mut balance = saved;
        for day in first..until {
            let interest = daily_interest(balance, provider.wealth_rate_bp);
            if interest > Fen::ZERO {
                expected.push((day, interest.get()));
                balance = Fen::new(balance.get() + interest.get());
            }
        }
        let next_after = self.w.state.savings_next_day(me);
        ensure(
            new == expected
                && credited.get() == balance.get() - saved.get()
                && ledger.balance(savings) == balance
                && next_after == Some(until),
            || {
                format!(
                    "accruing days {first}..{until} on {} credited {} as {new:?}, expected {expected:?}; next day {next_after:?}",
                    saved.get(),
                    credited.get()
                )
            },
        )?;
        let view = self.w.state.savings_view(me);
        ensure(
            view.balance == balance && view.earned.get() == self.earned(me, len) + credited.get(),
            || format!("the 理财 screen shows {view:?}"),
        )?;
        if !new.is_empty() {
            self.stats.checked("interest was credited day by day");
        }
        Ok(Outcome::Done)
    }

    /// The interest credited to `wallet`'s savings in the first `len` entries.
    pub(crate) fn earned(&self, wallet: AccountId, len: usize) -> i64 {
        let ledger = self.w.state.ledger();
        ledger.entries()[..len.min(ledger.len())]
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Interest { .. }))
            .map(|e| e.net_for(LedgerAccount::Savings(wallet)).get())
            .sum()
    }

    /// 「开启两步验证」: the secret shown, then the code the authenticator
    /// shows at the browser's time (a wrong one first, refused, sometimes).
    pub(crate) fn enable_totp(
        &mut self,
        person: usize,
        wrong_first: bool,
    ) -> Result<Outcome, String> {
        let me = or_return!(self.sign_in(person));
        let on = self.w.people[person].totp.is_some();
        let begun = self.w.state.begin_totp(&mut self.core_rng);
        if on {
            ensure(
                matches!(
                    begun,
                    Err(AccountError::SecondFactor(TotpError::AlreadyEnabled))
                ),
                || format!("turning two-step login on again gave {begun:?}"),
            )?;
        }
        let secret = or_return!(begun.or_refuse());
        let mut creds = TotpCreds {
            secret,
            recovery: Vec::new(),
            used: Vec::new(),
            last_step: 0,
        };
        let wall = self.wall();
        if wrong_first {
            let wrong = creds.wrong_code(wall);
            let result = self.w.state.confirm_totp(&wrong, wall, &mut self.core_rng);
            let still_off = self
                .w
                .state
                .account(me)
                .is_some_and(|a| a.totp().is_none() && a.totp_setup().is_some());
            ensure(
                matches!(result, Err(AccountError::SecondFactor(TotpError::Wrong))) && still_off,
                || format!("confirming with a wrong code gave {result:?}"),
            )?;
        }
        let code = code_for_step(&creds.secret, step_at(wall));
        let step = creds.matching_step(&code, wall);
        let codes = or_return!(self
            .w
            .state
            .confirm_totp(&code, wall, &mut self.core_rng)
            .or_refuse());
        ensure(codes.len() == qianbao_core::totp::RECOVERY_CODES, || {
            format!("{} recovery codes", codes.len())
        })?;
        creds.used = vec![false; codes.len()];
        creds.recovery = codes;
        creds.last_step = step.unwrap_or_default();
        self.w.people[person].totp = Some(creds);
        // Turning it on proves the authenticator in this session.
        self.w.set_proven(Some(me));
        Ok(Outcome::Done)
    }

    /// 「登录」 of a wallet with two-step login on: the password leaves the
    /// session waiting; then the second step as `how` says, checked
    /// against what the authenticator and the recovery codes allow.
    pub(crate) fn log_in_two_step(
        &mut self,
        person: usize,
        how: SecondStep,
    ) -> Result<Outcome, String> {
        let p = &self.w.people[person];
        let (Some(me), Some(creds)) = (p.wallet, p.totp.clone()) else {
            return Ok(Outcome::Skipped);
        };
        let (login, password) = (p.login.clone(), p.password.clone());
        let now = self.now();
        self.w.state.log_out();
        let result = self.w.state.log_in(&login, &password, now);
        self.w.set_proven(None);
        or_return!(result.or_refuse());
        let waiting = self.w.state.awaiting_login_code().map(|a| a.id());
        ensure(
            self.w.state.signed_in().is_none() && waiting == Some(me),
            || format!("the password alone left {:?}", self.w.state.session()),
        )?;
        let wall = self.wall();
        let enter = |sim: &mut Sim, code: &str| sim.w.state.enter_login_code(code, now, wall);
        match how {
            SecondStep::Right | SecondStep::Reused => {
                let code = code_for_step(&creds.secret, step_at(wall));
                let step = creds.matching_step(&code, wall);
                let fresh = step.is_some_and(|s| s > creds.last_step);
                let result = enter(self, &code);
                let expected = if fresh {
                    Ok(SecondFactor::Code)
                } else {
                    Err(AccountError::SecondFactor(TotpError::Reused))
                };
                ensure(result == expected, || {
                    format!(
                        "the code of step {step:?} (last used {}) gave {result:?}",
                        creds.last_step
                    )
                })?;
                if result.is_err() {
                    self.stats.checked("a used code was refused");
                    return Ok(Outcome::Refused("W-2FA-REUSED"));
                }
                self.passed_second_step(person, step);
                if matches!(how, SecondStep::Reused) {
                    self.w.state.log_out();
                    or_return!(self.w.state.log_in(&login, &password, now).or_refuse());
                    self.w.set_proven(None);
                    let again = enter(self, &code);
                    ensure(
                        again == Err(AccountError::SecondFactor(TotpError::Reused))
                            && self.w.state.signed_in().is_none(),
                        || format!("the code that signed in, again, gave {again:?}"),
                    )?;
                    self.stats.checked("a used code was refused");
                    return Ok(Outcome::Refused("W-2FA-REUSED"));
                }
            }
            SecondStep::Wrong {
                codes,
                then_password,
            } => {
                // The password just reset the count: each wrong code counts one.
                let wrong = creds.wrong_code(wall);
                let mut failures = 0u8;
                for _ in 0..codes {
                    let result = enter(self, &wrong);
                    failures += 1;
                    let expected = if failures >= MAX_FAILED_LOGINS {
                        Err(AccountError::Locked {
                            until: now.plus(LOCKOUT),
                        })
                    } else {
                        Err(AccountError::WrongCode {
                            remaining: MAX_FAILED_LOGINS - failures,
                        })
                    };
                    ensure(result == expected, || {
                        format!("wrong code {failures} gave {result:?}, expected {expected:?}")
                    })?;
                    if failures >= MAX_FAILED_LOGINS {
                        ensure(self.w.state.session().is_none(), || {
                            "the lockout left the sign-in waiting".to_owned()
                        })?;
                        let refused = self.w.state.log_in(&login, &password, now);
                        ensure(
                            refused
                                == Err(AccountError::Locked {
                                    until: now.plus(LOCKOUT),
                                }),
                            || format!("after five wrong codes the password gave {refused:?}"),
                        )?;
                        self.stats.checked("five wrong codes locked the account");
                        return Ok(Outcome::Refused("W-ACC-LOCKED"));
                    }
                }
                ensure(self.w.state.signed_in().is_none(), || {
                    "a wrong code signed in".to_owned()
                })?;
                if then_password {
                    // Wrong codes and wrong passwords share one count.
                    self.w.state.log_out();
                    let result = self.w.state.log_in(&login, "Wrong2026pass", now);
                    failures += 1;
                    let expected = if failures >= MAX_FAILED_LOGINS {
                        Err(AccountError::Locked {
                            until: now.plus(LOCKOUT),
                        })
                    } else {
                        Err(AccountError::WrongPassword {
                            remaining: MAX_FAILED_LOGINS - failures,
                        })
                    };
                    ensure(result == expected, || {
                        format!(
                            "a wrong password after {} wrong codes gave {result:?}",
                            failures - 1
                        )
                    })?;
                    self.stats
                        .checked("wrong codes and passwords counted together");
                }
                return Ok(Outcome::Refused("W-2FA-WRONG"));
            }
            SecondStep::Recovery { sloppy } => {
                let unused: Vec<usize> =
                    (0..creds.used.len()).filter(|&i| !creds.used[i]).collect();
                if unused.is_empty() {
                    return Ok(Outcome::Skipped);
                }
                let index = unused[self.below(unused.len())];
                let mut code = creds.recovery[index].clone();
                if sloppy {
                    code = code.replace('-', "").to_lowercase();
                }
                let result = enter(self, &code);
                let expected = Ok(SecondFactor::Recovery {
                    remaining: unused.len() - 1,
                });
                ensure(result == expected, || {
                    format!("recovery code {index} gave {result:?}, expected {expected:?}")
                })?;
                if let Some(c) = self.w.people[person].totp.as_mut() {
                    c.used[index] = true;
                }
                self.passed_second_step(person, None);
            }
            SecondStep::RecoveryReused => {
                let used: Vec<usize> = (0..creds.used.len()).filter(|&i| creds.used[i]).collect();
                if used.is_empty() {
                    return Ok(Outcome::Skipped);
                }
                let code = creds.recovery[used[self.below(used.len())]].clone();
                let result = enter(self, &code);
                ensure(
                    result == Err(AccountError::SecondFactor(TotpError::Reused))
                        && self.w.state.signed_in().is_none(),
                    || format!("a used recovery code gave {result:?}"),
                )?;
                self.stats.checked("a used recovery code was refused");
                return Ok(Outcome::Refused("W-2FA-REUSED"));
            }
        }
        let signed = self.w.state.signed_in().map(|a| a.id());
        ensure(signed == Some(me), || {
            format!("the second step passed, signed in: {signed:?}")
        })?;
        Ok(Outcome::Done)
    }
}
