//! The seeded generator: which operation comes next, with which inputs.

use super::*;

impl Sim {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let count = 3 + (rng.next_u32() % 5) as usize;
        let people = (0..count)
            .map(|i| {
                let phone = format!("139{:08}", 1000 + i);
                let login = if rng.next_u32() % 4 == 0 {
                    format!("person{i}@example.com")
                } else {
                    phone.clone()
                };
                Person {
                    name: NAMES[rng.next_u32() as usize % NAMES.len()],
                    phone,
                    login,
                    password: format!("Qb{i}Pass{:04}", rng.next_u32() % 10_000),
                    wallet: None,
                    cards: Vec::new(),
                    wechat: None,
                    flow: Flow::default(),
                    totp: None,
                    cash: Vec::new(),
                }
            })
            .collect();
        let params = argon2::Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}"));
        Sim {
            rng,
            core_rng: ChaCha20Rng::seed_from_u64(seed ^ 0x5157_4241_4f00),
            hasher: Hasher::with_params(params),
            wall: T0,
            w: World {
                state: State::default(),
                people,
                receipts: Vec::new(),
                savings: Vec::new(),
                proven: BTreeMap::new(),
                model: Model::default(),
            },
            disk: Disk::default(),
            serial: 0,
            stats: Stats::default(),
        }
    }

    // --- generator helpers ---

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n.max(1) as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<T: Copy>(&mut self, options: &[(usize, T)]) -> T {
        let total: usize = options.iter().map(|o| o.0).sum();
        let mut roll = self.below(total);
        for &(weight, value) in options {
            if roll < weight {
                return value;
            }
            roll -= weight;
        }
        options[options.len() - 1].1
    }

    /// An amount as typed: mostly plausible, sometimes over a limit or malformed.
    pub(crate) fn amount(&mut self, max_yuan: usize) -> String {
        const BAD: [&str; 7] = ["0", "-5", "1.001", "abc", "", "１２.５", "99999999999999"];
        match self.below(100) {
            0..=2 => BAD[self.below(BAD.len())].to_owned(),
            3..=5 => (20_000 + self.below(40_000)).to_string(),
            _ => format!("{}.{:02}", 1 + self.below(max_yuan), self.below(100)),
        }
    }

    pub(crate) fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    pub(crate) fn fresh_key(&mut self) -> String {
        format!("key{:08x}", self.next_serial())
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.w.state.sim().now(Timestamp::from_millis(self.wall))
    }

    // --- the generator ---

    /// The next operation: 1.5 % a crash between steps, 1.5 % a crash in
    /// the middle of saving an operation, 1 % a failed save, else [`Sim::plain`].
    pub(crate) fn generate(&mut self) -> Op {
        match self.below(1000) {
            0..=14 => Op::Crash,
            15..=29 => Op::CrashMidSave(Box::new(self.plain())),
            30..=39 => Op::SaveFails(Box::new(self.plain())),
            _ => self.plain(),
        }
    }

    /// 55 % a person acts, 30 % shopping, 5 % a committed submission again
    /// (the clock instead while there is none), 6 % the clock moves, 2 % the
    /// console plans faults, 2 % a person acts.
    pub(crate) fn plain(&mut self) -> Op {
        match self.below(100) {
            0..=54 => self.person_op(),
            55..=84 => self.shop_op(),
            85..=89 if !self.w.receipts.is_empty() => {
                let receipt = self.below(self.w.receipts.len());
                if self.chance(60) {
                    Op::Resubmit { receipt }
                } else {
                    Op::ReuseKey { receipt }
                }
            }
            85..=95 => {
                let seconds = Jump::Seconds(30 + self.below(600) as i64);
                let minutes = Jump::Minutes(5 + self.below(40) as i64);
                Op::Wait(self.pick(&[
                    (45, seconds),
                    (30, minutes),
                    (15, Jump::TwoHours),
                    (10, Jump::ThirtyDays),
                ]))
            }
            96..=97 => Op::Faults {
                network: self.below(3) as u32,
                busy: self.below(2) as u32,
            },
            _ => self.person_op(),
        }
    }

    /// Something one person does next, weighted by where they are: a new
    /// person registers, a wallet without cards adds one, a binding in
    /// progress goes on to its next step.
    pub(crate) fn person_op(&mut self) -> Op {
        #[derive(Clone, Copy)]
        enum K {
            Register,
            CreateWeChat,
            AddCard,
            RemoveCard,
            TopUp,
            Withdraw,
            Transfer,
            Bill,
            ToChange,
            StartBind,
            Approve,
            Deny,
            Callback(Callback),
            Unbind,
            Revoke,
            Check,
            Permission,
            SavingsIn,
            SavingsOut,
            Accrue,
            AddCash,
            RemoveCash,
            SetCategory,
            EnableTotp,
            LogInTwoStep,
            DisableTotp,
        }
        let person = self.below(self.w.people.len());
        let p = &self.w.people[person];
        let cards = p.cards.len();
        let own_wechat = p.wechat.as_ref().map(|c| c.id);
        let any_wechat = self.w.people.iter().any(|q| q.wechat.is_some());
        // Replaying the code of an earlier binding needs one.
        let old_code = if p.flow.bound_via.is_some() { 2 } else { 0 };
        let mut options: Vec<(usize, K)> = Vec::new();
        if p.wallet.is_none() {
            options.push((30, K::Register));
        }
        if own_wechat.is_none() {
            options.push((15, K::CreateWeChat));
        }
        if let Some(wallet) = p.wallet {
            let saves = self.w.state.provider_of(wallet).offers(Feature::Wealth);
            let saved = self
                .w
                .state
                .ledger()
                .balance(LedgerAccount::Savings(wallet))
                > Fen::ZERO;
            options.extend([
                (if saves { 5 } else { 1 }, K::SavingsIn),
                (if saved { 4 } else { 1 }, K::SavingsOut),
                (if saved { 3 } else { 1 }, K::Accrue),
                (3, K::AddCash),
                (if p.cash.is_empty() { 1 } else { 2 }, K::RemoveCash),
                (3, K::SetCategory),
            ]);
            if p.totp.is_some() {
                options.extend([(5, K::LogInTwoStep), (1, K::DisableTotp)]);
            } else {
                options.push((2, K::EnableTotp));
            }
            options.push((if cards == 0 { 40 } else { 2 }, K::AddCard));
            if cards > 0 {
                options.extend([
                    (14, K::TopUp),
                    (4, K::Withdraw),
                    (6, K::Transfer),
                    (4, K::Bill),
                    (1, K::RemoveCard),
                ]);
            }
            if any_wechat {
                match self.w.state.binding(wallet) {
                    Binding::Bound(_) => options.extend([
                        (10, K::ToChange),
                        (2, K::Unbind),
                        (3, K::Check),
                        (1, K::Callback(Callback::Reload)),
                    ]),
                    Binding::Authorizing { .. } if p.flow.redirect.is_some() => options.extend([
                        (30, K::Callback(Callback::Redirect)),
                        (2, K::Callback(Callback::Forged)),
                        (old_code, K::Callback(Callback::OldCode)),
                        (2, K::StartBind),
                    ]),
                    Binding::Authorizing { .. } => options.extend([
                        (30, K::Approve),
                        (2, K::Deny),
                        (old_code, K::Callback(Callback::OldCode)),
                        (2, K::StartBind),
                    ]),
                    Binding::Unbound | Binding::Ended { .. } => options.push((12, K::StartBind)),
                }
            }
        }
        if let Some(id) = own_wechat {
            let allowed = self
                .w
                .state
                .wechat()
                .account(id)
                .is_some_and(|a| a.allows_third_party());
            options.push((if allowed { 1 } else { 12 }, K::Permission));
            options.push((1, K::Revoke));
        }
        let wechat_people: Vec<usize> = (0..self.w.people.len())
            .filter(|&i| self.w.people[i].wechat.is_some())
            .collect();
        let others = self.w.people.len();
        match self.pick(&options) {
            K::Register => Op::Register {
                person,
                typo: self.chance(5),
                provider: ProviderId::ALL[self.below(ProviderId::ALL.len())],
            },
            K::CreateWeChat => Op::CreateWeChat {
                person,
                other_name: self.chance(12),
            },
            K::AddCard => Op::AddCard {
                person,
                credit: self.chance(30),
                stranger: self.chance(3),
                other_bank: self.chance(10),
            },
            kind @ (K::SavingsIn | K::SavingsOut) => {
                let into = matches!(kind, K::SavingsIn);
                let wallet = self.w.people[person].wallet;
                let from = match (wallet, into) {
                    (Some(id), true) => LedgerAccount::Wallet(id),
                    (Some(id), false) => LedgerAccount::Savings(id),
                    (None, _) => LedgerAccount::BankReserve,
                };
                let balance = self.w.state.ledger().balance(from).get().max(0);
                // Mostly part of what there is, sometimes all, or more.
                let fen = match self.below(100) {
                    0..=9 => balance,
                    10..=17 => balance + 1 + self.below(10_000) as i64,
                    _ => balance * (1 + self.below(999) as i64) / 1000,
                };
                let amount = if self.chance(3) {
                    "-1".to_owned()
                } else {
                    Fen::new(fen.max(1)).plain()
                };
                let key = self.pick(&[
                    (80, SavingsKey::Fresh),
                    (8, SavingsKey::Twice),
                    (7, SavingsKey::Repeat),
                    (5, SavingsKey::RepeatOther),
                ]);
                Op::Savings {
                    person,
                    into,
                    amount,
                    key,
                }
            }
            K::Accrue => Op::Accrue { person },
            K::AddCash => Op::AddCash {
                person,
                amount: self.amount(200),
                spend: Spend::ALL[self.below(Spend::ALL.len())],
                long_note: self.chance(3),
            },
            K::RemoveCash => {
                let cash = self.w.people[person].cash.len();
                Op::RemoveCash {
                    person,
                    which: self.below(cash),
                    missing: cash == 0 || self.chance(10),
                }
            }
            K::SetCategory => {
                let wallet = self.w.people[person].wallet;
                let entries: Vec<(u64, bool)> = wallet
                    .map(|id| {
                        self.w
                            .state
                            .ledger()
                            .for_wallet(id)
                            .map(|e| {
                                let spending = matches!(
                                    e.kind,
                                    EntryKind::Bill { .. } | EntryKind::Payment { .. }
                                ) || (matches!(e.kind, EntryKind::Transfer { .. })
                                    && e.by == Actor::Wallet(id));
                                (e.id, spending)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let spending: Vec<u64> = entries.iter().filter(|e| e.1).map(|e| e.0).collect();
                let entry = if !spending.is_empty() && self.chance(80) {
                    spending[self.below(spending.len())]
                } else if !entries.is_empty() && self.chance(90) {
                    entries[self.below(entries.len())].0
                } else {
                    // No such entry.
                    self.w.state.ledger().len() as u64 + 1 + self.below(3) as u64
                };
                Op::SetCategory {
                    person,
                    entry,
                    spend: Spend::ALL[self.below(Spend::ALL.len())],
                }
            }
            K::EnableTotp => Op::EnableTotp {
                person,
                wrong_first: self.chance(15),
            },
            K::LogInTwoStep => {
                let wrong = SecondStep::Wrong {
                    codes: if self.chance(15) {
                        MAX_FAILED_LOGINS
                    } else {
                        1 + self.below(3) as u8
                    },
                    then_password: self.chance(30),
                };
                let recovery = SecondStep::Recovery {
                    sloppy: self.chance(30),
                };
                Op::LogInTwoStep {
                    person,
                    how: self.pick(&[
                        (50, SecondStep::Right),
                        (20, wrong),
                        (10, SecondStep::Reused),
                        (12, recovery),
                        (8, SecondStep::RecoveryReused),
                    ]),
                }
            }
            K::DisableTotp => Op::DisableTotp {
                person,
                wrong_password: self.chance(20),
            },
            K::RemoveCard => Op::RemoveCard {
                person,
                card: self.below(cards),
            },
            K::TopUp => Op::TopUp {
                person,
                card: self.below(cards),
                amount: self.amount(3_000),
                double: self.chance(8),
            },
            K::Withdraw => Op::Withdraw {
                person,
                card: {
                    let p = &self.w.people[person];
                    let debit: Vec<usize> = (0..cards)
                        .filter(|&i| {
                            self.w
                                .state
                                .card(p.cards[i])
                                .is_some_and(|c| c.kind() == CardKind::Debit)
                        })
                        .collect();
                    match debit.len() {
                        0 => self.below(cards),
                        n if self.chance(85) => debit[self.below(n)],
                        _ => self.below(cards),
                    }
                },
                amount: self.amount(800),
                double: self.chance(8),
            },
            K::Transfer => Op::Transfer {
                person,
                // Now and then to themselves (refused).
                to: if self.chance(5) {
                    person
                } else {
                    (person + 1 + self.below(others - 1)) % others
                },
                amount: self.amount(800),
                note: if self.chance(3) {
                    "长".repeat(31)
                } else {
                    "午饭".to_owned()
                },
                double: self.chance(8),
            },
            K::Bill => {
                let biller = Biller::ALL[self.below(Biller::ALL.len())];
                let account = match biller {
                    _ if self.chance(5) => "123".to_owned(),
                    Biller::Electricity => "1234567890".to_owned(),
                    Biller::Water => "12345678".to_owned(),
                    Biller::Mobile => self.w.people[person].phone.clone(),
                };
                Op::PayBill {
                    person,
                    biller,
                    account,
                    amount: self.amount(300),
                    double: self.chance(8),
                }
            }
            K::ToChange => Op::ToChange {
                person,
                amount: format!("{}.{:02}", 10 + self.below(300), self.below(100)),
                double: self.chance(10),
            },
            K::StartBind => Op::StartBind { person },
            kind @ (K::Approve | K::Deny) => {
                // Mostly the person's own WeChat account; sometimes whoever's.
                let wechat = match own_wechat {
                    Some(_) if self.chance(85) => person,
                    _ => wechat_people[self.below(wechat_people.len())],
                };
                match kind {
                    K::Approve => Op::Approve {
                        person,
                        wechat,
                        wrong_code: self.chance(4),
                        follow: self.chance(85),
                    },
                    _ => Op::Deny { person, wechat },
                }
            }
            K::Callback(how) => Op::Callback { person, how },
            K::Unbind => Op::Unbind { person },
            K::Revoke => Op::RevokeInWeChat { person },
            K::Check => Op::CheckBinding { person },
            K::Permission => {
                let allowed = own_wechat
                    .and_then(|id| self.w.state.wechat().account(id))
                    .is_some_and(|a| a.allows_third_party());
                Op::SetPermission {
                    person,
                    allow: !allowed,
                }
            }
        }
    }

    /// Shopping: new orders, paying the newest open one (sometimes an old,
    /// closed or paid one), refunds of paid orders, the console's repeats.
    pub(crate) fn shop_op(&mut self) -> Op {
        #[derive(Clone, Copy)]
        enum K {
            Create,
            Pay,
            Refund,
            Notify,
            Cancel,
        }
        let now = self.now();
        let orders: Vec<_> = self.w.state.orders().collect();
        let count = orders.len();
        let open: Vec<usize> = (0..count)
            .filter(|&i| {
                matches!(
                    orders[i].state,
                    OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror
                ) && orders[i].expires_at > now
            })
            .collect();
        let paid: Vec<usize> = (0..count).filter(|&i| orders[i].paid.is_some()).collect();
        let refundable: Vec<usize> = paid
            .iter()
            .copied()
            .filter(|&i| orders[i].refundable() > Fen::ZERO)
            .collect();
        let payers: Vec<usize> = (0..self.w.people.len())
            .filter(|&i| self.w.people[i].wechat.is_some())
            .collect();
        // WeChat users with a live grant that a wallet is bound to: the
        // cashier offers them a wallet.
        let state = &self.w.state;
        let bound: Vec<String> = state
            .accounts()
            .iter()
            .filter_map(|a| state.binding(a.id()).bound().map(|b| b.openid.clone()))
            .collect();
        let paying: Vec<WeChatId> = state
            .wechat()
            .grants()
            .iter()
            .filter(|g| g.appid == QIANBAO_APPID && !g.revoked && bound.contains(&g.openid))
            .map(|g| g.user)
            .collect();
        let bound_payers: Vec<usize> = payers
            .iter()
            .copied()
            .filter(|&i| {
                self.w.people[i]
                    .wechat
                    .as_ref()
                    .is_some_and(|c| paying.contains(&c.id))
            })
            .collect();
        let mut options = vec![(if count == 0 { 100 } else { 30 }, K::Create)];
        if count > 0 && !payers.is_empty() {
            // Mostly the order just placed; now and then an old one.
            options.push((if open.is_empty() { 5 } else { 45 }, K::Pay));
        }
        if !paid.is_empty() {
            options.extend([(15, K::Refund), (4, K::Notify)]);
        }
        if !open.is_empty() {
            options.push((3, K::Cancel));
        }
        match self.pick(&options) {
            K::Create => {
                let merchant = MerchantId::ALL[self.below(MerchantId::ALL.len())];
                let products = merchant.demo().map_or(&[][..], |m| m.products);
                let lines = 1 + self.below(2);
                let cart = (0..lines)
                    .map(|_| {
                        let sku = products[self.below(products.len())].sku;
                        let quantity = match self.below(100) {
                            0..=2 => [0, 100][self.below(2)],
                            3..=27 => 2 + self.below(2) as u32,
                            _ => 1,
                        };
                        (sku, quantity)
                    })
                    .collect();
                Op::CreateOrder {
                    merchant,
                    cart,
                    open: self.chance(85),
                }
            }
            K::Pay => {
                let order = match open.last() {
                    Some(&newest) if self.chance(90) => newest,
                    _ => self.below(count),
                };
                let payer = if !bound_payers.is_empty() && self.chance(85) {
                    bound_payers[self.below(bound_payers.len())]
                } else {
                    payers[self.below(payers.len())]
                };
                // A wallet mostly when the cashier offers one, 零钱 mostly
                // when it covers the order; now and then the other.
                let offered = bound_payers.contains(&payer);
                let change = self.w.people[payer]
                    .wechat
                    .as_ref()
                    .map_or(Fen::ZERO, |c| self.w.state.wechat_change(c.id));
                let covers = self
                    .w
                    .state
                    .order_book()
                    .get(order)
                    .is_some_and(|o| o.amount <= change);
                let change_weight = match (offered, covers) {
                    (true, false) => 10,
                    (true, true) => 50,
                    (false, _) => 80,
                };
                Op::Pay {
                    order,
                    payer,
                    method: self.pick(&[
                        (100 - change_weight, Method::Wallet),
                        (change_weight, Method::Change),
                    ]),
                    key: self.pick(&[
                        (80, PayKey::Fresh),
                        (10, PayKey::Twice),
                        (10, PayKey::Repeat),
                    ]),
                    wrong_password: self.chance(3),
                    confirm: self.pick(&[
                        (88, Confirm::Password),
                        (4, Confirm::Wrong),
                        (8, Confirm::Skip),
                    ]),
                }
            }
            K::Refund => {
                let order = match self.below(100) {
                    0..=79 if !refundable.is_empty() => refundable[self.below(refundable.len())],
                    0..=89 => paid[self.below(paid.len())],
                    _ => self.below(count),
                };
                let part = 1 + self.below(999) as i64;
                Op::Refund {
                    order,
                    amount: self.pick(&[
                        (35, RefundAmount::Full),
                        (55, RefundAmount::Part(part)),
                        (10, RefundAmount::TooMuch),
                    ]),
                    number: self.pick(&[
                        (80, RefundNo::Fresh),
                        (12, RefundNo::Repeat),
                        (8, RefundNo::RepeatOther),
                    ]),
                }
            }
            K::Notify => Op::Notify {
                order: if self.chance(80) {
                    paid[self.below(paid.len())]
                } else {
                    self.below(count)
                },
            },
            K::Cancel => Op::CancelPayment {
                order: open[self.below(open.len())],
            },
        }
    }

    // --- acting as the people ---
}
