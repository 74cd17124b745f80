//! The provider chosen at registration drives the rules (SPEC F7): limits,
//! the banks whose cards it takes, the features it offers, and whether a
//! merchant's extra confirmation applies.

use qianbao_core::card::{test_card_number, Bank, CardId, NewCard};
use qianbao_core::ledger::Biller;
use qianbao_core::merchant::MerchantId;
use qianbao_core::money::Fen;
use qianbao_core::movement::{MoveError, MovementForm};
use qianbao_core::payment::PayMethod;
use qianbao_core::provider::{Feature, MovementKind, ProviderId};
use qianbao_core::State;
use rstest::rstest;

use qianbao_core::testkit::{at, registered};

fn add_card(state: &mut State, bin: &str) -> Result<CardId, MoveError> {
    let number = test_card_number(bin, "0012345678");
    state.add_card(
        NewCard {
            number: &number,
            holder: "张小明",
            expiry: "",
            cvv: "",
        },
        at(3),
    )
}

#[rstest]
#[case(ProviderId::Jia, "621799", false)] // 邮储: 甲 does not take it
#[case(ProviderId::Yi, "621799", true)]
#[case(ProviderId::Bing, "622260", true)] // 交通银行: 乙 does not take it, 丙 does
#[case(ProviderId::Yi, "622260", false)]
fn the_provider_decides_which_cards_it_takes(
    #[case] provider: ProviderId,
    #[case] bin: &str,
    #[case] taken: bool,
) {
    let mut state = registered(provider);
    let before = state.clone();
    let result = add_card(&mut state, bin);
    assert_eq!(result.is_ok(), taken, "{result:?}");
    if !taken {
        assert!(matches!(result, Err(MoveError::ProviderBank { .. })));
        assert_eq!(state, before, "a refused card changes nothing");
    }
}

#[rstest]
#[case(ProviderId::Jia, "50000")]
#[case(ProviderId::Yi, "10000")]
#[case(ProviderId::Bing, "100000")]
fn the_provider_sets_the_limits(#[case] provider: ProviderId, #[case] single: &str) {
    let mut state = registered(provider);
    let card = add_card(&mut state, "622202").unwrap_or_else(|e| panic!("{e}"));
    let at_limit = state.prepare(
        MovementForm::TopUp {
            card,
            amount: single,
        },
        at(4),
    );
    assert!(
        !matches!(at_limit, Err(MoveError::SingleLimit { .. })),
        "{at_limit:?}"
    );
    let above = format!("{single}.01");
    let over = state.prepare(
        MovementForm::TopUp {
            card,
            amount: &above,
        },
        at(4),
    );
    assert!(
        matches!(over, Err(MoveError::SingleLimit { kind: MovementKind::TopUp, max }) if max == Fen::parse_positive(single).unwrap_or_default()),
        "{over:?}"
    );
}

#[rstest]
#[case(ProviderId::Jia, true)]
#[case(ProviderId::Yi, true)]
#[case(ProviderId::Bing, false)]
fn bills_only_where_offered(#[case] provider: ProviderId, #[case] offered: bool) {
    let state = registered(provider);
    let form = MovementForm::Bill {
        biller: Biller::Electricity,
        account: "1234567890",
        amount: "10",
    };
    let result = state.prepare(form, at(5));
    assert_eq!(
        matches!(
            result,
            Err(MoveError::NotOffered {
                feature: Feature::Bills
            })
        ),
        !offered,
        "{result:?}"
    );
}

#[test]
fn the_merchant_extra_confirmation_follows_the_provider() {
    for (provider, applies) in [
        (ProviderId::Jia, true),
        (ProviderId::Yi, true),
        (ProviderId::Bing, false),
    ] {
        let state = registered(provider);
        let id = state
            .signed_in()
            .map(|a| a.id())
            .unwrap_or_else(|| panic!("signed in"));
        let big = Fen::from_yuan(600);
        assert_eq!(
            state.needs_extra_confirmation(MerchantId::Digital, big, PayMethod::Wallet(id)),
            applies,
            "{provider:?}"
        );
        assert!(!state.needs_extra_confirmation(MerchantId::Digital, big, PayMethod::Change));
    }
}

#[test]
fn every_bank_is_taken_by_some_provider() {
    for bank in Bank::ALL {
        assert!(
            ProviderId::ALL.iter().any(|p| p.provider().accepts(bank)),
            "{bank:?}"
        );
    }
}
