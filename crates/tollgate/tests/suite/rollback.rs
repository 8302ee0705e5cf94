//! The database writer of the threat model (`THREATS.md`; ASVS 5.0 V14) against an account's
//! row: put back an older copy of it (from a backup, or one copied earlier), or write its plain
//! columns, on SQLite and PostgreSQL (the memory store has no database to write). Each play
//! counts what the writer got and holds it to what they must not get: a code replayed by
//! restoring an old row, more wrong codes than the hard limit, a login they did not earn.

use crate::common;

use common::{Backing, JOHN, PASSWORD, UserRow, World, backings, world};
use tollgate::login::{Config, Input, MessageId, NIST_MAX_FAILURES, Screen};
use tollgate::{Client, Error};

/// Whether the service refused John's account as tampered with (the answer the writer's
/// plays must end in).
fn refused<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(
        result,
        Err(Error::Store(tollgate::StoreError::Integrity(_)))
    )
}

/// The database stores, each with John registered on a service over it.
fn databases(name: &str, seed: u64) -> Vec<(Backing, World)> {
    backings(name)
        .into_iter()
        .filter(|b| b.name != "memory")
        .map(|b| {
            let world = world(b.store.clone(), Config::default(), seed);
            (b, world)
        })
        .collect()
}

/// Password holder and database writer together: 30 virtual days of wrong token codes, the
/// row put back to its copy with no failures whenever the service stops taking them. Before the
/// version was anchored outside the row: 4 300 codes checked in 30 days (the count went from 99
/// back to 0 at every restore); the bound is the hard limit, ever.
#[test]
fn restoring_a_row_does_not_buy_more_guesses() {
    for (backing, world) in databases("tollgate_rollback_guesses", 11) {
        let _token = world.enroll();
        let clean = backing.writer.user_row(JOHN).unwrap();
        let end = world.service.now().as_secs() + 30 * 86_400;
        let mut guess = 7u32;
        let (mut restores, mut integrity) = (0, 0);
        while world.service.now().as_secs() < end {
            world.clock.advance(7200);
            let login = guesses(&world, &mut guess);
            if login.is_err() {
                integrity += 1;
            }
            // The service stopped taking codes: put the clean copy back.
            backing.writer.put_user_row(JOHN, &clean);
            restores += 1;
        }
        let checked = world.codes_refused();
        println!(
            "{}: {checked} wrong codes checked in 30 days over {restores} restores \
             ({integrity} logins refused the row)",
            backing.name
        );
        assert!(
            checked <= NIST_MAX_FAILURES as usize,
            "{}: {checked} codes checked",
            backing.name
        );
    }
}

/// One login's worth of wrong codes, until the service stops taking them.
fn guesses(world: &World, guess: &mut u32) -> Result<(), Error> {
    let view = world.service.start()?;
    let view = world
        .service
        .submit(&view.login, Input::UserId(JOHN.into()), Client::default())?;
    let mut view = world.service.submit(
        &view.login,
        Input::Password(PASSWORD.to_owned().into()),
        Client::default(),
    )?;
    if !matches!(view.screen, Screen::EnterTokenCode { .. }) {
        return Ok(());
    }
    for _ in 0..=NIST_MAX_FAILURES {
        *guess = guess.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let code = format!("{:06}", *guess % 1_000_000);
        view = world
            .service
            .submit(&view.login, Input::TokenCode(code), Client::default())?;
        if view.notice.as_ref().map(|n| n.id) != Some(MessageId::WrongCode) || locked(world) {
            break;
        }
    }
    Ok(())
}

/// Whether John's account holds codes back now (or cannot be read at all).
fn locked(world: &World) -> bool {
    let john = JOHN.parse().unwrap();
    match world.service.store().user(&john) {
        Ok(Some(user)) => user.account.is_locked(world.service.now()),
        _ => true,
    }
}

/// Database writer: a token code the owner used, replayed after the row is put back to its
/// copy from before that login. Before: accepted (RFC 6238 §5.2 says a used code is refused).
#[test]
fn restoring_a_row_does_not_make_a_used_code_new() {
    for (backing, world) in databases("tollgate_rollback_replay", 12) {
        let token = world.enroll();
        world.clock.advance(60);
        let before = backing.writer.user_row(JOHN).unwrap();
        let code = token.generate(world.service.now()).unwrap().to_string();
        let key = world.past_the_password();
        let view = world
            .service
            .submit(&key, Input::TokenCode(code.clone()), Client::default())
            .unwrap();
        assert!(view.authenticated().is_some(), "the owner's own login");

        backing.writer.put_user_row(JOHN, &before);
        let replayed = replay(&world, &code);
        println!("{}: the replayed code gave {replayed:?}", backing.name);
        assert!(
            refused(&replayed),
            "{}: the restored row was not refused: {replayed:?}",
            backing.name
        );
    }
}

fn replay(world: &World, code: &str) -> Result<bool, Error> {
    let view = world.service.start()?;
    let view = world
        .service
        .submit(&view.login, Input::UserId(JOHN.into()), Client::default())?;
    let view = world.service.submit(
        &view.login,
        Input::Password(PASSWORD.to_owned().into()),
        Client::default(),
    )?;
    let view = world.service.submit(
        &view.login,
        Input::TokenCode(code.to_owned()),
        Client::default(),
    )?;
    Ok(view.authenticated().is_some())
}

/// Database writer with none of the victim's factors: John's row put back to before his
/// enrollment, with the writer's own password hash and phone number in its plain columns (both
/// copied from the writer's own account). Before: the writer typed their own password, got the
/// PIN on their own phone, enrolled their own token and was authenticated as John.
#[test]
fn a_written_hash_and_phone_do_not_take_the_account_over() {
    for (backing, world) in databases("tollgate_rollback_takeover", 13) {
        let registered = backing.writer.user_row(JOHN).unwrap();
        let _johns_token = world.enroll();
        world
            .service
            .register_user(
                "mallory@example.net",
                "violet kettle drums at noon",
                Some("+1 613 555 0199"),
                None,
            )
            .unwrap();
        let mallory = backing.writer.user_row("mallory@example.net").unwrap();
        backing.writer.put_user_row(
            JOHN,
            &UserRow {
                password_hash: mallory.password_hash.clone(),
                mobile: mallory.mobile.clone(),
                ..registered.clone()
            },
        );
        let outcome = take_over(&world);
        println!("{}: the takeover gave {outcome:?}", backing.name);
        assert!(
            refused(&outcome),
            "{}: the written row was not refused: {outcome:?}",
            backing.name
        );

        // The columns alone, on the current row: refused as well.
        let current = backing.writer.user_row(JOHN).unwrap();
        backing.writer.put_user_row(
            JOHN,
            &UserRow {
                mobile: mallory.mobile.clone(),
                ..current
            },
        );
        let john = JOHN.parse().unwrap();
        let read = world.service.store().user(&john);
        assert!(
            matches!(read, Err(tollgate::StoreError::Integrity(_))),
            "{}: a written phone number was taken: {read:?}",
            backing.name
        );
    }
}

/// The writer's login as John: the writer's password, the PIN from the writer's phone, a
/// desktop token of the writer's own. `Ok(true)` when it ends authenticated.
fn take_over(world: &World) -> Result<bool, Error> {
    let view = world.service.start()?;
    let view = world
        .service
        .submit(&view.login, Input::UserId(JOHN.into()), Client::default())?;
    let view = world.service.submit(
        &view.login,
        Input::Password("violet kettle drums at noon".to_owned().into()),
        Client::default(),
    )?;
    let Some(pin) = world.outbox.last_pin() else {
        return Ok(false);
    };
    let view = world
        .service
        .submit(&view.login, Input::Pin(pin), Client::default())?;
    let view = world.service.submit(
        &view.login,
        Input::ChooseEnrollment(tollgate::login::EnrollmentKind::Desktop),
        Client::default(),
    )?;
    let Screen::DesktopActivation(page) = &view.screen else {
        return Ok(false);
    };
    let app =
        tollgate::codes::TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, _token) =
        app.register(&mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(5));
    let view = world.service.submit(
        &view.login,
        Input::RegistrationCode(code.to_string()),
        Client::default(),
    )?;
    let view = world
        .service
        .submit(&view.login, Input::Continue, Client::default())?;
    Ok(view.authenticated().is_some())
}
