//! What the door's forms do with a password or a code — 「注册」, 「登录」
//! and its second step, 「一键创建演示账户」, the lock screen and the unlock
//! screen: `core`'s commands with everything only they reach (Argon2id
//! hashing and key derivation, the password policy, TOTP, the demo world)
//! as one module fetched on demand (with the `split` feature). The door
//! shows its forms without it; it follows the first screen, and a press
//! that comes before it has arrived waits for it. A fetch that fails is the
//! network error (W-SITE-NETWORK) on the form, and the next press tries
//! again.

use crate::app::{on_demand, Unfetched};
use crate::store::{Problem, Store};
use qianbao_core::account::{AccountId, CodeSent};
use qianbao_core::command::{
    CreateDemo, EnterLoginCode, LogIn, Register, SendRegisterCode, Unlock,
};
use qianbao_core::demo::Demo;
use qianbao_core::error::SiteError;
use qianbao_core::provider::ProviderId;
use qianbao_core::totp::SecondFactor;
use std::future::Future;
use std::pin::Pin;

/// A command on its way, once its code is here.
type Pending<T> = Pin<Box<dyn Future<Output = Result<T, Problem>>>>;

/// The 「注册」 form as typed.
#[derive(Debug, Clone)]
pub struct RegisterForm {
    pub login: String,
    pub code: String,
    pub real_name: String,
    pub password: String,
    pub provider: ProviderId,
}

/// A fetch that failed is the network error; otherwise the command runs.
async fn run<T>(
    fetched: impl Future<Output = Result<Pending<T>, Unfetched>>,
) -> Result<T, Problem> {
    match fetched.await {
        Ok(pending) => pending.await,
        Err(Unfetched) => Err(Problem::Site(SiteError::Unreachable)),
    }
}

/// Fetches the module ahead of need (after the first screen); a failure is
/// left for the press that needs it.
pub async fn prefetch() {
    let _ = here().await;
}

on_demand! {
    in credentials: fn here() -> () {}
}

/// 「注册」: the account, then its key slot (the first one seals the data).
pub async fn register(store: Store, form: RegisterForm) -> Result<AccountId, Problem> {
    run(register_split(store, form)).await
}

on_demand! {
    in credentials: fn register_split(store: Store, form: RegisterForm) -> Pending<AccountId> {
        Box::pin(async move {
            let RegisterForm { login, code, real_name, password, provider } = form;
            let registration = Register {
                login,
                real_name,
                password: password.as_str().into(),
                code: code.into(),
                provider,
            };
            let id = store.run(registration).await?;
            store.add_key(id, password).await?;
            Ok(id)
        })
    }
}

/// 「获取验证码」 on the registration form: where the code went.
pub async fn send_register_code(store: Store, login: String) -> Result<CodeSent, Problem> {
    run(send_register_code_split(store, login)).await
}

on_demand! {
    in credentials: fn send_register_code_split(store: Store, login: String) -> Pending<CodeSent> {
        Box::pin(async move { store.run(SendRegisterCode { login }).await })
    }
}

/// 「登录」: signs in (or starts the second step); since encryption began,
/// every account gets its key slot at its next login.
pub async fn log_in(store: Store, login: String, password: String) -> Result<AccountId, Problem> {
    run(log_in_split(store, login, password)).await
}

on_demand! {
    in credentials: fn log_in_split(store: Store, login: String, password: String) -> Pending<AccountId> {
        Box::pin(async move {
            let id = store
                .run(LogIn {
                    login,
                    password: password.as_str().into(),
                })
                .await?;
            store.add_key(id, password).await?;
            Ok(id)
        })
    }
}

/// The second step of a login: a code from the authenticator or a
/// recovery code.
pub async fn enter_login_code(store: Store, code: String) -> Result<SecondFactor, Problem> {
    run(enter_login_code_split(store, code)).await
}

on_demand! {
    in credentials: fn enter_login_code_split(store: Store, code: String) -> Pending<SecondFactor> {
        Box::pin(async move {
            store.run(EnterLoginCode { code: code.into() }).await
        })
    }
}

/// 「一键创建演示账户」: the wallet account with its key slot, and both
/// WeChat accounts. The demo stands once created; a key slot that could
/// not be written is the second answer.
pub async fn create_demo(store: Store) -> Result<(Demo, Result<(), Problem>), Problem> {
    run(create_demo_split(store)).await
}

on_demand! {
    in credentials: fn create_demo_split(store: Store) -> Pending<(Demo, Result<(), Problem>)> {
        Box::pin(async move {
            let demo = store.run(CreateDemo {}).await?;
            let keyed = store
                .add_key(demo.wallet.id, demo.wallet.password.clone())
                .await;
            Ok((demo, keyed))
        })
    }
}

/// The lock screen after idle time: the signed-in account's password.
pub async fn unlock_session(store: Store, password: String) -> Result<(), Problem> {
    run(unlock_session_split(store, password)).await
}

on_demand! {
    in credentials: fn unlock_session_split(store: Store, password: String) -> Pending<()> {
        Box::pin(async move { store.run(Unlock { password: password.into() }).await })
    }
}

/// The unlock screen of an encrypted copy: any account's password.
pub async fn unlock_vault(store: Store, password: String) -> Result<(), Problem> {
    run(unlock_vault_split(store, password)).await
}

on_demand! {
    in credentials: fn unlock_vault_split(store: Store, password: String) -> Pending<()> {
        Box::pin(async move { store.unlock_vault(password).await })
    }
}
