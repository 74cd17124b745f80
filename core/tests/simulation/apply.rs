//! Applying one operation to `core` and to the model, signing in and
//! moving money on the way.

use super::*;

impl Sim {
    /// Makes `person`'s wallet the signed-in one, through the login or the
    /// lock screen as the shell would.
    pub(crate) fn sign_in(&mut self, person: usize) -> Result<AccountId, Outcome> {
        self.w.state.set_client(&client_of(person));
        let p = &self.w.people[person];
        let Some(id) = p.wallet else {
            return Err(Outcome::Skipped);
        };
        let (login, password) = (p.login.clone(), p.password.clone());
        let now = self.now();
        self.w.state.lock_if_idle(now);
        let session = self
            .w
            .state
            .session()
            .map(|s| (s.account(), s.is_locked(), s.is_awaiting_code()));
        match session {
            Some((account, false, false)) if account == id => {}
            Some((account, true, _)) if account == id => {
                self.w.state.unlock(&password, now).or_refuse()?;
            }
            _ => {
                self.w.state.log_out();
                let result = self.w.state.log_in(&login, &password, now);
                self.w.set_proven(None);
                result.or_refuse()?;
                if self.w.state.awaiting_login_code().is_some() {
                    self.second_step(person)?;
                }
            }
        }
        Ok(id)
    }

    /// The browser's clock, which the authenticator app reads.
    pub(crate) fn wall(&self) -> Timestamp {
        Timestamp::from_millis(self.wall)
    }

    /// The login's second step with the authenticator's code: the current
    /// one, or the next one if the current one was used (waiting for it
    /// when that is too far ahead).
    pub(crate) fn second_step(&mut self, person: usize) -> Result<(), Outcome> {
        let creds = self.w.people[person].totp.clone().ok_or(Outcome::Skipped)?;
        let step = loop {
            let current = step_at(self.wall());
            let step = current.max(creds.last_step + 1);
            if step <= current + SKEW_STEPS {
                break step;
            }
            self.wall += 30_000;
        };
        let code = code_for_step(&creds.secret, step);
        let (now, wall) = (self.now(), self.wall());
        let used = creds.matching_step(&code, wall);
        self.w
            .state
            .enter_login_code(&code, now, wall)
            .or_refuse()?;
        self.passed_second_step(person, used);
        Ok(())
    }

    pub(crate) fn passed_second_step(&mut self, person: usize, step: Option<u64>) {
        let p = &mut self.w.people[person];
        if let (Some(creds), Some(step)) = (p.totp.as_mut(), step) {
            creds.last_step = step;
        }
        let wallet = p.wallet;
        self.w.set_proven(wallet);
    }

    /// Logs `person`'s WeChat account in to the simulated WeChat, in the
    /// browser of `browser` (whose binding flow it may be).
    pub(crate) fn wechat_in(
        &mut self,
        browser: usize,
        person: usize,
    ) -> Result<WeChatCreds, Outcome> {
        self.w.state.set_client(&client_of(browser));
        let creds = self.w.people[person]
            .wechat
            .clone()
            .ok_or(Outcome::Skipped)?;
        if self.w.state.wechat().signed_in().map(|a| a.id()) != Some(creds.id) {
            self.w.state.wechat_mut().log_out();
            let now = self.now();
            self.w
                .state
                .wechat_mut()
                .log_in(&creds.wxid, &creds.password, now)
                .or_refuse()?;
        }
        Ok(creds)
    }

    /// The newest verification code `from` sent to `to`, read off the phone.
    pub(crate) fn latest_code(&self, to: &str, from: Sender) -> String {
        self.w
            .state
            .inbox()
            .newest_first()
            .find(|m| m.to == to && m.from == from)
            .map(|m| match &m.body {
                Body::VerificationCode { code, .. } => code.clone(),
            })
            .unwrap_or_default()
    }

    /// A movement, then its provider's rules: a bill only where bills are
    /// offered, a refusal over the single limit only above it, and what
    /// went through within the single and daily limits.
    pub(crate) fn movement(
        &mut self,
        person: usize,
        form: MovementForm<'_>,
        double: bool,
    ) -> Result<Outcome, String> {
        let (kind, typed) = match &form {
            MovementForm::TopUp { amount, .. } => (MovementKind::TopUp, *amount),
            MovementForm::Withdraw { amount, .. } => (MovementKind::Withdraw, *amount),
            MovementForm::Transfer { amount, .. } => (MovementKind::Transfer, *amount),
            MovementForm::Bill { amount, .. } => (MovementKind::Bill, *amount),
            MovementForm::ToWeChat { amount } => (MovementKind::ToWeChat, *amount),
        };
        let amount = Fen::parse_positive(typed).ok();
        let outcome = self.submit(person, form, double)?;
        let Some(me) = self.w.people[person].wallet else {
            return Ok(outcome);
        };
        let provider = self.w.state.provider_of(me);
        let limit = provider.policy.limit(kind);
        let bills = kind != MovementKind::Bill || provider.offers(Feature::Bills);
        let holds = match outcome {
            Outcome::Refused("W-PROVIDER-FEATURE") => !bills,
            Outcome::Refused("W-LIMIT-SINGLE") => amount.is_some_and(|a| a > limit.single),
            Outcome::Done => {
                let used = self
                    .w
                    .state
                    .ledger()
                    .used_on_day(Actor::Wallet(me), kind, self.now());
                bills && amount.is_some_and(|a| a <= limit.single) && used <= limit.daily
            }
            _ => true,
        };
        ensure(holds, || {
            format!(
                "{kind:?} of {typed:?} with {:?} ended {outcome:?}",
                provider.id
            )
        })?;
        if matches!(outcome, Outcome::Refused("W-PROVIDER-FEATURE")) {
            self.stats
                .checked("a provider refused what it does not offer");
        }
        Ok(outcome)
    }

    /// Prepare → 「确认」 with a fresh key, as the movement screens do.
    pub(crate) fn submit(
        &mut self,
        person: usize,
        form: MovementForm<'_>,
        double: bool,
    ) -> Result<Outcome, String> {
        or_return!(self.sign_in(person));
        let now = self.now();
        let prepared = or_return!(self.w.state.prepare(form, now).or_refuse());
        let key = self.fresh_key();
        let before = self.w.state.ledger().len();
        let receipt = match self.w.state.commit(&key, &prepared, now) {
            Ok(receipt) => receipt,
            // 「确认」 again after an error: the same key, which moved nothing.
            Err(_) if double => {
                let retry = or_return!(self.w.state.commit(&key, &prepared, now).or_refuse());
                self.stats.checked("retry after a refusal went through");
                retry
            }
            Err(error) => return Ok(refused(&error)),
        };
        let after = self.w.state.ledger().len();
        ensure(after == before + 1, || {
            format!("a movement posted {} entries", after - before)
        })?;
        if double {
            let again = self.w.state.commit(&key, &prepared, now);
            ensure(
                again.as_ref().map(|r| r.entry) == Ok(receipt.entry)
                    && self.w.state.ledger().len() == after,
                || format!("a double submission of {key} gave {again:?}, first {receipt:?}"),
            )?;
            self.stats.checked("double submission took effect once");
        }
        if self.w.receipts.len() >= 32 {
            self.w.receipts.remove(0);
        }
        self.w.receipts.push(Submitted {
            person,
            key,
            prepared,
            entry: receipt.entry,
        });
        Ok(Outcome::Done)
    }

    /// Runs one operation as the store does: through the one commit
    /// protocol over the disk (`core::commit`), so that what it changed is
    /// saved, and nothing else. A wrapper (a crash or failure mid-save) sets
    /// the disk's fault and runs its operation so.
    pub(crate) fn run(&mut self, op: &Op) -> Result<(), String> {
        if op.is_wrapper() || matches!(op, Op::Crash) {
            // (These read or fault the disk themselves.)
            return self.run_op(op);
        }
        let sessions = (
            self.w.state.sessions().clone(),
            self.w.state.wechat().sessions().clone(),
        );
        let mut disk = std::mem::take(&mut self.disk);
        let mut state = std::mem::take(&mut self.w.state);
        let committed = commit::run(&mut disk, &mut state, 1, |s| {
            std::mem::swap(&mut self.w.state, s);
            let done = self.run_op(op);
            std::mem::swap(&mut self.w.state, s);
            done
        });
        let expected = std::mem::take(&mut disk.fault);
        self.disk = disk;
        self.w.state = state;
        // Each person uses a browser of their own: a step acts for one of
        // them, and every other browser's sign-ins stay as they were.
        let acting = self.w.state.client().clone();
        let others = |wallet: &BTreeMap<ClientId, Session>,
                      wechat: &BTreeMap<ClientId, WeChatId>| {
            let wallet: Vec<_> = wallet.iter().filter(|(c, _)| **c != acting).collect();
            let wechat: Vec<_> = wechat.iter().filter(|(c, _)| **c != acting).collect();
            format!("{wallet:?} {wechat:?}")
        };
        let before = others(&sessions.0, &sessions.1);
        let after = others(self.w.state.sessions(), self.w.state.wechat().sessions());
        ensure(before == after, || {
            format!(
                "{} for {acting} changed another browser's sign-in: {before} → {after}",
                op.name()
            )
        })?;
        if sessions.0.keys().filter(|c| **c != acting).count() > 0 {
            self.stats
                .checked("another browser's sign-in stayed as it was");
        }
        match committed {
            // (A faulted step that changed nothing wrote nothing to fail.)
            Committed::Saved(done) => done,
            Committed::Unsaved(done, error) => {
                done?;
                ensure(expected.is_some(), || {
                    format!("{} does not save: {error}", op.name())
                })
            }
            Committed::NotRun(error) => Err(format!("the disk does not read: {error}")),
        }
    }

    /// Runs one operation: counts it, and checks that a refusal moved no money.
    pub(crate) fn run_op(&mut self, op: &Op) -> Result<(), String> {
        self.wall += 1_000 * (1 + self.below(20) as i64);
        let before = self.w.state.ledger().len();
        let outcome = self.apply(op)?;
        if outcome != Outcome::Done && !op.is_wrapper() {
            let after = self.w.state.ledger().len();
            ensure(after == before, || {
                format!(
                    "{} ended {outcome:?} but posted {} entries",
                    op.name(),
                    after - before
                )
            })?;
        }
        self.stats.count(op.name(), outcome);
        Ok(())
    }

    /// Reloads the state from the disk, as the shell does at start-up.
    pub(crate) fn reload(&mut self) -> Result<State, String> {
        let mut state = self
            .disk
            .rows
            .load()
            .map_err(|e| format!("the stored state does not load: {e}"))?;
        state.set_client(self.w.state.client());
        Ok(state)
    }

    pub(crate) fn apply(&mut self, op: &Op) -> Result<Outcome, String> {
        match op {
            Op::Register {
                person,
                typo,
                provider,
            } => {
                let p = &self.w.people[*person];
                if p.wallet.is_some() {
                    return Ok(Outcome::Skipped);
                }
                let (login, name, password) = (p.login.clone(), p.name, p.password.clone());
                let now = self.now();
                match self
                    .w
                    .state
                    .send_register_code(&login, now, &mut self.core_rng)
                {
                    Ok(_) | Err(AccountError::Code(VerifyError::ResendTooSoon { .. })) => {}
                    Err(error) => return Ok(refused(&error)),
                }
                let mut code = self.latest_code(&login, Sender::Wallet);
                if *typo {
                    code = other_code(&code);
                }
                let form = Registration {
                    login: &login,
                    real_name: name,
                    password: &password,
                    code: &code,
                    provider: *provider,
                };
                let id = or_return!(self
                    .w
                    .state
                    .register(form, now, &mut self.core_rng, &self.hasher)
                    .or_refuse());
                let chosen = self.w.state.account(id).map(|a| a.provider().id);
                ensure(chosen == Some(*provider), || {
                    format!("registered with {provider:?}, the account has {chosen:?}")
                })?;
                self.w.people[*person].wallet = Some(id);
                Ok(Outcome::Done)
            }
            Op::AddCard {
                person,
                credit,
                stranger,
                other_bank,
            } => {
                let me = or_return!(self.sign_in(*person));
                let p = &self.w.people[*person];
                let debit = ["622202", "622848", "621700", "622588"];
                // 邮储 (not 甲's) and 交通 (not 乙's).
                let other = ["621799", "622260"];
                let bin = match (*other_bank, *credit) {
                    (true, _) => other[p.cards.len() % other.len()],
                    (false, true) => "625330",
                    (false, false) => debit[p.cards.len() % debit.len()],
                };
                let bank = BINS.iter().find(|b| b.0 == bin).map(|b| b.1);
                let accepted = bank.is_some_and(|b| self.w.state.provider_of(me).accepts(b));
                let holder = if *stranger { STRANGER } else { p.name };
                let fill = format!("{:04}{:06}", person, self.next_serial() % 1_000_000);
                let number = test_card_number(bin, &fill);
                let form = NewCard {
                    number: &number,
                    holder,
                    expiry: "12/30",
                    cvv: "123",
                };
                let now = self.now();
                let result = self.w.state.add_card(form, now);
                // Refused for its bank exactly when the provider does not take it.
                let holds = match &result {
                    Err(MoveError::ProviderBank { .. }) => !accepted,
                    Ok(_) => accepted,
                    Err(_) => true,
                };
                ensure(holds, || {
                    format!("adding a {bank:?} card with {bin}: {result:?}, accepted: {accepted}")
                })?;
                let id = or_return!(result.or_refuse());
                self.w.people[*person].cards.push(id);
                Ok(Outcome::Done)
            }
            Op::RemoveCard { person, card } => {
                or_return!(self.sign_in(*person));
                let Some(&id) = self.w.people[*person].cards.get(*card) else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.w.state.remove_card(id).or_refuse());
                self.w.people[*person].cards.remove(*card);
                Ok(Outcome::Done)
            }
            Op::TopUp {
                person,
                card,
                amount,
                double,
            }
            | Op::Withdraw {
                person,
                card,
                amount,
                double,
            } => {
                let Some(&card) = self.w.people[*person].cards.get(*card) else {
                    return Ok(Outcome::Skipped);
                };
                let form = match op {
                    Op::TopUp { .. } => MovementForm::TopUp { card, amount },
                    _ => MovementForm::Withdraw { card, amount },
                };
                self.movement(*person, form, *double)
            }
            Op::Transfer {
                person,
                to,
                amount,
                note,
                double,
            } => {
                let payee = self.w.people[*to].login.clone();
                let form = MovementForm::Transfer {
                    payee: &payee,
                    amount,
                    note,
                };
                self.movement(*person, form, *double)
            }
            Op::PayBill {
                person,
                biller,
                account,
                amount,
                double,
            } => {
                let form = MovementForm::Bill {
                    biller: *biller,
                    account,
                    amount,
                };
                self.movement(*person, form, *double)
            }
            Op::ToChange {
                person,
                amount,
                double,
            } => self.movement(*person, MovementForm::ToWeChat { amount }, *double),
            Op::Resubmit { receipt } => {
                let Some(first) = self.w.receipts.get(*receipt).cloned() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.sign_in(first.person));
                let now = self.now();
                let before = self.w.state.ledger().len();
                let again = self.w.state.commit(&first.key, &first.prepared, now);
                ensure(
                    again.as_ref().map(|r| r.entry) == Ok(first.entry)
                        && self.w.state.ledger().len() == before,
                    || {
                        format!(
                            "key {} again gave {again:?}, first #{}",
                            first.key, first.entry
                        )
                    },
                )?;
                self.stats
                    .checked("a resubmitted key returned its first receipt");
                Ok(Outcome::Done)
            }
            Op::ReuseKey { receipt } => {
                let Some(first) = self.w.receipts.get(*receipt).cloned() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.sign_in(first.person));
                let now = self.now();
                let card = self.w.people[first.person].cards.first().copied();
                let mut forms = vec![MovementForm::Bill {
                    biller: Biller::Electricity,
                    account: "1234567890",
                    amount: "0.01",
                }];
                if let Some(card) = card {
                    forms.insert(
                        0,
                        MovementForm::TopUp {
                            card,
                            amount: "0.01",
                        },
                    );
                }
                let Some(other) = forms
                    .into_iter()
                    .find_map(|form| self.w.state.prepare(form, now).ok())
                else {
                    return Ok(Outcome::Skipped);
                };
                let before = self.w.state.ledger().len();
                let result = self.w.state.commit(&first.key, &other, now);
                let after = self.w.state.ledger().len();
                if other == first.prepared {
                    ensure(result.as_ref().map(|r| r.entry) == Ok(first.entry), || {
                        format!("the same content under key {} gave {result:?}", first.key)
                    })?;
                    return Ok(Outcome::Done);
                }
                ensure(after == before, || {
                    format!("key {} with other content posted an entry", first.key)
                })?;
                match result {
                    Err(error) if error.code() == "W-KEY-REUSED" => {
                        self.stats.checked("a key with other content was refused");
                        Ok(refused(&error))
                    }
                    other => Err(format!(
                        "key {} with other content gave {other:?}",
                        first.key
                    )),
                }
            }
            Op::CreateWeChat { person, other_name } => {
                if self.w.people[*person].wechat.is_some() {
                    return Ok(Outcome::Skipped);
                }
                let wxid = format!("sim_wx{person}");
                let password = format!("Wx{person}Secret{}", self.next_serial());
                let p = &self.w.people[*person];
                let pay_password = format!("2580{:02}", person);
                let phone = p.phone.clone();
                let form = NewWeChat {
                    wxid: &wxid,
                    phone: &phone,
                    nickname: "模拟用户",
                    real_name: if *other_name { STRANGER } else { p.name },
                    password: &password,
                    pay_password: &pay_password,
                };
                let now = self.now();
                let id = or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .register(form, now, &mut self.core_rng, &self.hasher)
                    .or_refuse());
                self.w.people[*person].wechat = Some(WeChatCreds {
                    id,
                    wxid,
                    phone,
                    password,
                    pay_password,
                });
                Ok(Outcome::Done)
            }
            Op::SetPermission { person, allow } => {
                or_return!(self.wechat_in(*person, *person));
                or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .set_allow_third_party(*allow)
                    .or_refuse());
                Ok(Outcome::Done)
            }
            Op::StartBind { person } => {
                or_return!(self.sign_in(*person));
                let now = self.now();
                let url = or_return!(self
                    .w
                    .state
                    .start_binding(&site(), now, &mut self.core_rng)
                    .or_refuse());
                let flow = &mut self.w.people[*person].flow;
                flow.url = Some(url);
                flow.redirect = None;
                Ok(Outcome::Done)
            }
            Op::Approve {
                person,
                wechat,
                wrong_code,
                follow,
            } => {
                let Some(url) = self.w.people[*person].flow.url.clone() else {
                    return Ok(Outcome::Skipped);
                };
                let creds = or_return!(self.wechat_in(*person, *wechat));
                let now = self.now();
                let mut code = String::new();
                if self.w.state.wechat().needs_second_factor(QIANBAO_APPID) {
                    match self.w.state.send_wechat_code(now, &mut self.core_rng) {
                        Ok(_)
                        | Err(BindError::WeChat(WeChatError::Code(VerifyError::ResendTooSoon {
                            ..
                        }))) => {}
                        Err(error) => return Ok(refused(&error)),
                    }
                    code = self.latest_code(&creds.phone, Sender::WeChat);
                    if *wrong_code {
                        code = other_code(&code);
                    }
                }
                let req = Req::from_url(&url);
                let redirect = or_return!(self
                    .w
                    .state
                    .approve_authorization(
                        &req.get(),
                        &site(),
                        Some(&code),
                        now,
                        &mut self.core_rng
                    )
                    .or_refuse());
                self.w.people[*person].flow.redirect = Some(redirect);
                if *follow {
                    self.run_op(&Op::Callback {
                        person: *person,
                        how: Callback::Redirect,
                    })?;
                }
                Ok(Outcome::Done)
            }
            Op::Deny { person, wechat } => {
                let Some(url) = self.w.people[*person].flow.url.clone() else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.wechat_in(*person, *wechat));
                let now = self.now();
                let req = Req::from_url(&url);
                let back = or_return!(self
                    .w
                    .state
                    .deny_authorization(&req.get(), &site(), now)
                    .or_refuse());
                self.w.people[*person].flow.redirect = Some(back);
                Ok(Outcome::Done)
            }
            Op::Callback { person, how } => self.callback(*person, *how),
            Op::Unbind { person } => {
                let me = or_return!(self.sign_in(*person));
                let before = self.w.state.binding(me);
                let now = self.now();
                match self.w.state.unbind_wechat(now) {
                    Ok(()) => {
                        let after = self.w.state.binding(me);
                        ensure(
                            matches!(
                                after,
                                Binding::Ended {
                                    reason: EndReason::Unbound,
                                    ..
                                }
                            ),
                            || format!("unbinding left {after:?}"),
                        )?;

                        Ok(Outcome::Done)
                    }
                    Err(error) => {
                        ensure(self.w.state.binding(me) == before, || {
                            format!("a failed unbinding ({}) changed the binding", error.code())
                        })?;
                        Ok(refused(&error))
                    }
                }
            }
            Op::RevokeInWeChat { person } => {
                or_return!(self.wechat_in(*person, *person));
                or_return!(self
                    .w
                    .state
                    .wechat_mut()
                    .revoke_app(QIANBAO_APPID)
                    .or_refuse());
                Ok(Outcome::Done)
            }
            Op::CheckBinding { person } => {
                let me = or_return!(self.sign_in(*person));
                let before = self.w.state.binding(me);
                let dead = before.bound().is_some_and(|b| {
                    !self
                        .w
                        .state
                        .wechat()
                        .has_live_grant(QIANBAO_APPID, &b.openid)
                });
                let now = self.now();
                or_return!(self
                    .w
                    .state
                    .check_binding(now, &mut self.core_rng)
                    .or_refuse());
                if dead {
                    let after = self.w.state.binding(me);
                    ensure(after.bound().is_none(), || {
                        "a revoked grant went unnoticed by the binding check".to_owned()
                    })?;
                    self.stats.checked("a revoked grant was noticed on use");
                }
                Ok(Outcome::Done)
            }
            Op::CreateOrder {
                merchant,
                cart,
                open,
            } => {
                let now = self.now();
                let no = or_return!(self
                    .w
                    .state
                    .create_order(*merchant, cart, now, &mut self.core_rng)
                    .or_refuse());
                if *open {
                    or_return!(self.w.state.open_cashier(*merchant, &no, now).or_refuse());
                }
                Ok(Outcome::Done)
            }
            Op::Pay {
                order,
                payer,
                method,
                key,
                wrong_password,
                confirm,
            } => self.pay(*order, *payer, *method, *key, *wrong_password, *confirm),
            Op::CancelPayment { order } => {
                let Some((merchant, no)) = self.order_ref(*order) else {
                    return Ok(Outcome::Skipped);
                };
                or_return!(self.w.state.cancel_payment(merchant, &no).or_refuse());
                Ok(Outcome::Done)
            }
            Op::Refund {
                order,
                amount,
                number,
            } => self.refund(*order, *amount, *number),
            Op::Notify { order } => {
                let Some((merchant, no)) = self.order_ref(*order) else {
                    return Ok(Outcome::Skipped);
                };
                let now = self.now();
                or_return!(self.w.state.resend_notify(merchant, &no, now).or_refuse());
                Ok(Outcome::Done)
            }
            Op::Wait(jump) => {
                match jump {
                    Jump::Seconds(s) => self.wall += s * 1_000,
                    Jump::Minutes(m) => self.wall += m * 60_000,
                    Jump::TwoHours => {
                        let by = Duration::from_secs(2 * 3600 + 60);
                        self.w.state.sim_mut().advance(by);
                    }
                    Jump::ThirtyDays => {
                        let by = Duration::from_secs(30 * 24 * 3600 + 3600);
                        self.w.state.sim_mut().advance(by);
                    }
                }
                // The shell's clock tick.
                let now = self.now();
                self.w.state.lock_if_idle(now);
                Ok(Outcome::Done)
            }
            Op::Savings {
                person,
                into,
                amount,
                key,
            } => self.savings(*person, *into, amount, *key),
            Op::Accrue { person } => self.accrue(*person),
            Op::AddCash {
                person,
                amount,
                spend,
                long_note,
            } => {
                let me = or_return!(self.sign_in(*person));
                let note = if *long_note {
                    "长".repeat(31)
                } else {
                    "早餐".to_owned()
                };
                let now = self.now();
                let id = or_return!(self
                    .w
                    .state
                    .add_cash(amount, *spend, &note, now)
                    .or_refuse());
                let p = &self.w.people[*person];
                ensure(p.cash.iter().all(|c| c.0 != id), || {
                    format!("cash entry {id} was given twice")
                })?;
                let written = self
                    .w
                    .state
                    .cash_entries(me, year_month_cst(now))
                    .into_iter()
                    .find(|c| c.id == id)
                    .map(|c| (c.at, c.amount, c.category));
                let typed = Fen::parse_positive(amount).ok();
                ensure(
                    written.is_some_and(|w| w.0 == now && Some(w.1) == typed && w.2 == *spend),
                    || format!("cash entry {id} of {amount:?} reads {written:?}"),
                )?;
                if let Some((at, fen, _)) = written {
                    self.w.people[*person].cash.push((id, at, fen));
                }
                Ok(Outcome::Done)
            }
            Op::RemoveCash {
                person,
                which,
                missing,
            } => {
                or_return!(self.sign_in(*person));
                let p = &self.w.people[*person];
                let id = match p.cash.get(*which) {
                    Some(c) if !*missing => c.0,
                    _ => p.cash.iter().map(|c| c.0).max().unwrap_or(0) + 1_000,
                };
                let result = self.w.state.remove_cash(id);
                let known = p.cash.iter().any(|c| c.0 == id);
                ensure(result.is_ok() == known, || {
                    format!("removing cash entry {id} (known: {known}) gave {result:?}")
                })?;
                or_return!(result.or_refuse());
                self.w.people[*person].cash.retain(|c| c.0 != id);
                Ok(Outcome::Done)
            }
            Op::SetCategory {
                person,
                entry,
                spend,
            } => {
                let me = or_return!(self.sign_in(*person));
                let found = self.w.state.ledger().entry(*entry).cloned();
                let spending = found.as_ref().is_some_and(|e| {
                    e.net_for(LedgerAccount::Wallet(me)) != Fen::ZERO
                        && (matches!(e.kind, EntryKind::Bill { .. } | EntryKind::Payment { .. })
                            || matches!(e.kind, EntryKind::Transfer { .. })
                                && e.by == Actor::Wallet(me))
                });
                let result = self.w.state.set_category(*entry, *spend);
                ensure(result.is_ok() == spending, || {
                    format!(
                        "setting the category of #{entry} (spending: {spending}) gave {result:?}"
                    )
                })?;
                or_return!(result.or_refuse());
                let now = found.and_then(|e| self.w.state.category_of(&e, me));
                ensure(now == Some(*spend), || {
                    format!("#{entry} was set to {spend:?} but is {now:?}")
                })?;
                Ok(Outcome::Done)
            }
            Op::EnableTotp {
                person,
                wrong_first,
            } => self.enable_totp(*person, *wrong_first),
            Op::LogInTwoStep { person, how } => self.log_in_two_step(*person, *how),
            Op::DisableTotp {
                person,
                wrong_password,
            } => {
                let me = or_return!(self.sign_in(*person));
                let p = &self.w.people[*person];
                let password = if *wrong_password {
                    "Wrong2026pass".to_owned()
                } else {
                    p.password.clone()
                };
                let on = p.totp.is_some();
                let now = self.now();
                let result = self.w.state.disable_totp(&password, now);
                let holds = match &result {
                    Ok(()) => on && !*wrong_password,
                    Err(AccountError::SecondFactor(TotpError::NotEnabled)) => !on,
                    Err(AccountError::WrongPassword { .. } | AccountError::Locked { .. }) => {
                        on && *wrong_password
                    }
                    Err(_) => false,
                };
                ensure(holds, || {
                    format!("turning two-step login (on: {on}) off gave {result:?}")
                })?;
                or_return!(result.or_refuse());
                let off = self.w.state.account(me).is_some_and(|a| a.totp().is_none());
                ensure(off, || "two-step login stayed on".to_owned())?;
                self.w.people[*person].totp = None;
                Ok(Outcome::Done)
            }
            Op::Faults { network, busy } => {
                self.w.state.sim_mut().set_faults(Faults {
                    network: *network,
                    busy: *busy,
                    latency_ms: 0,
                });
                Ok(Outcome::Done)
            }
            Op::Crash => {
                // Every step is saved as it ends: a reload reads it back.
                let loaded = self.reload()?;
                same_state(&loaded, &self.w.state, "the reloaded state")?;
                self.w.state = loaded;
                self.stats.checked("reloaded state equals the state saved");
                Ok(Outcome::Done)
            }
            Op::CrashMidSave(inner) | Op::SaveFails(inner) => {
                let crash = matches!(op, Op::CrashMidSave(_));
                let before = self.w.clone();
                self.disk.fault = Some(if crash {
                    DiskFault::StopAfterChunks
                } else {
                    DiskFault::Refuse
                });
                self.run(inner)?;
                // Whether the command changed anything or not, what is in
                // memory now is what the disk holds: the state before it.
                let mut loaded = self.reload()?;
                loaded.set_client(before.state.client());
                same_state(
                    &loaded,
                    &before.state,
                    "after a save that did not finish, the disk",
                )?;
                let mut after = self.w.state.clone();
                after.set_client(before.state.client());
                same_state(
                    &after,
                    &before.state,
                    "after a save that did not finish, the state",
                )?;
                self.w = before;
                self.w.state = loaded;
                self.w.check()?;
                self.stats.checked(if crash {
                    "crash mid-save reloads the state before the command"
                } else {
                    "a failed save leaves the state as stored"
                });
                Ok(Outcome::Done)
            }
        }
    }
}
