//! The checks after every step, and the tallies a run reports.

use super::*;

impl World {
    /// Every invariant: the journal, balances and orders through the
    /// model, then the bindings, the books and two-step login.
    pub(crate) fn check(&mut self) -> Result<(), String> {
        self.model.check(&self.state)?;
        check_bindings(&self.state)?;
        self.check_books()?;
        self.check_two_step()
    }

    /// For every wallet and every CST month with entries or cash: the
    /// summary's wallet total is what the ledger's spending entries took
    /// from the wallet, its cash the cash entries written down, and its
    /// categories add up to its total.
    pub(crate) fn check_books(&self) -> Result<(), String> {
        for person in &self.people {
            let Some(wallet) = person.wallet else {
                continue;
            };
            let mut months: BTreeMap<(i64, u32), (i64, i64)> = self
                .model
                .spending
                .range((wallet, (i64::MIN, 0))..=(wallet, (i64::MAX, u32::MAX)))
                .map(|((_, month), spent)| (*month, (*spent, 0)))
                .collect();
            for (_, at, amount) in &person.cash {
                months.entry(year_month_cst(*at)).or_default().1 += amount.get();
            }
            for (month, (spent, cash)) in months {
                let summary = self
                    .state
                    .month_summary(wallet, month)
                    .map_err(|e| format!("the summary of {month:?} fails: {e}"))?;
                let by_category: i64 = summary.by_category.iter().map(|c| c.1.get()).sum();
                ensure(
                    summary.wallet.get() == spent
                        && summary.cash.get() == cash
                        && summary.total.get() == spent + cash
                        && by_category == summary.total.get(),
                    || {
                        format!(
                            "wallet {} in {month:?}: the ledger's spending is {spent} and cash {cash}, the summary says {summary:?}",
                            wallet.get()
                        )
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Two-step login is on exactly for the people who turned it on, with
    /// their unused recovery codes; a session is open for an account with
    /// it on only if its second step was passed since the password.
    pub(crate) fn check_two_step(&self) -> Result<(), String> {
        for person in &self.people {
            let Some(wallet) = person.wallet else {
                continue;
            };
            let totp = self.state.account(wallet).and_then(|a| a.totp());
            let expected = person
                .totp
                .as_ref()
                .map(|c| c.used.iter().filter(|u| !**u).count());
            ensure(totp.map(|t| t.recovery_left()) == expected, || {
                format!(
                    "wallet {}: two-step login with {:?} recovery codes left, expected {expected:?}",
                    wallet.get(),
                    totp.map(|t| t.recovery_left())
                )
            })?;
        }
        // In every browser: whoever is signed in with two-step login on
        // passed its second step there.
        for (client, session) in self.state.sessions() {
            let open = !session.is_locked() && !session.is_awaiting_code();
            let account = self.state.account(session.account());
            let two_step = account.is_some_and(|a| a.totp().is_some());
            ensure(
                !open || !two_step || self.proven.get(client) == Some(&session.account()),
                || {
                    format!(
                        "wallet {} is signed in at {client} with two-step login on, without its second step",
                        session.account().get()
                    )
                },
            )?;
        }
        Ok(())
    }

    /// Who passed the second step in the browser acting now.
    pub(crate) fn set_proven(&mut self, who: Option<AccountId>) {
        let client = self.state.client().clone();
        match who {
            Some(account) => self.proven.insert(client, account),
            None => self.proven.remove(&client),
        };
    }
}

/// No partial binding: every live grant of Qianbao in WeChat has a wallet
/// bound to its openid, and every bound wallet's openid was granted (a grant
/// revoked in WeChat is noticed on the binding's next use).
pub(crate) fn check_bindings(state: &State) -> Result<(), String> {
    let bound: Vec<(AccountId, String)> = state
        .accounts()
        .iter()
        .filter_map(|a| match state.binding(a.id()) {
            Binding::Bound(b) => Some((a.id(), b.openid)),
            _ => None,
        })
        .collect();
    let grants = state.wechat().grants();
    for grant in grants
        .iter()
        .filter(|g| g.appid == QIANBAO_APPID && !g.revoked)
    {
        ensure(
            bound.iter().any(|(_, openid)| *openid == grant.openid),
            || {
                format!(
                    "WeChat user {} holds a live grant ({}) that no wallet is bound to",
                    grant.user.get(),
                    grant.openid
                )
            },
        )?;
    }
    for (account, openid) in &bound {
        ensure(
            grants
                .iter()
                .any(|g| g.appid == QIANBAO_APPID && g.openid == *openid),
            || {
                format!(
                    "wallet {} is bound to {openid}, which WeChat never granted",
                    account.get()
                )
            },
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------

impl Stats {
    pub(crate) fn count(&mut self, name: &'static str, outcome: Outcome) {
        let tally = self.kinds.entry(name).or_default();
        match outcome {
            Outcome::Done => tally.done += 1,
            Outcome::Skipped => tally.skipped += 1,
            Outcome::Refused(code) => *tally.refused.entry(code).or_default() += 1,
        }
    }

    pub(crate) fn checked(&mut self, what: &'static str) {
        *self.checks.entry(what).or_default() += 1;
    }

    pub(crate) fn merge(&mut self, other: Stats) {
        self.seeds += other.seeds;
        self.ops += other.ops;
        for (name, tally) in other.kinds {
            let mine = self.kinds.entry(name).or_default();
            mine.done += tally.done;
            mine.skipped += tally.skipped;
            for (code, n) in tally.refused {
                *mine.refused.entry(code).or_default() += n;
            }
        }
        for (what, n) in other.checks {
            *self.checks.entry(what).or_default() += n;
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "violation: {}", self.message)?;
        writeln!(f, "  seed {}, step {}: {:?}", self.seed, self.step, self.op)?;
        for (i, op) in self.recent.iter().enumerate() {
            let back = self.recent.len() - i;
            writeln!(
                f,
                "  step {}: {op:?}",
                self.step.saturating_sub(back as u64)
            )?;
        }
        write!(
            f,
            "  reproduce: QIANBAO_SIM_SEED={} QIANBAO_SIM_OPS={} scripts/simulate.sh",
            self.seed,
            self.step + 1
        )
    }
}
