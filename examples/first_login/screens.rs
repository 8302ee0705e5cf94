//! The screens, printed as the portal shows them.

use tollgate::View;
use tollgate::login::{Catalog, Channel, Message, MessageId, Screen};
use tollgate::provision::{QrOptions, render_terminal};

/// Draws a QR code in the terminal, inside the screen's frame.
fn print_qr(uri: &str) {
    let options = QrOptions {
        quiet_zone: 2,
        ..QrOptions::default()
    };
    if let Ok(qr) = render_terminal(uri.as_bytes(), &options, true) {
        for line in qr.lines() {
            println!("│ {line}");
        }
    }
}

/// Prints a screen as the portal shows it.
pub(crate) fn show(view: &View, catalog: &Catalog) {
    let t = |id| catalog.text(id);
    println!("\n┌──────────────────────────────────────────────────────────────");
    if let Some(notice) = &view.notice {
        println!("│ ! {}", catalog.render(notice));
    }
    match &view.screen {
        Screen::EnterUserId => {
            println!("│ {}", t(MessageId::Login));
            println!(
                "│ [{}]                                        [{}]",
                t(MessageId::EnterUserId),
                t(MessageId::Next)
            );
        }
        Screen::EnterPassword { user } => {
            println!("│ {user}");
            println!("│ {}", t(MessageId::EnterPassword));
            println!(
                "│ {}            [{}] [{}]",
                t(MessageId::PasswordLockedOrForgotten),
                t(MessageId::Cancel),
                t(MessageId::Next)
            );
        }
        Screen::EnterPin {
            user,
            sent_to,
            alternative,
            ..
        } => {
            println!("│ {user}");
            println!("│ {}", t(MessageId::EnterPin));
            println!(
                "│ {}",
                catalog.render(
                    &Message::new(MessageId::PinSentTo).with("destination", sent_to.clone())
                )
            );
            println!("│ {}", t(MessageId::ResendBySms));
            if *alternative {
                println!("│ {}", t(MessageId::AlternativeAuthentication));
            }
        }
        Screen::ChooseEnrollment { .. } => {
            println!("│ {}", t(MessageId::SetUpAuthentication));
            println!(
                "│ 1. {}  ( ) {}  ( ) {}",
                t(MessageId::MobileOrDesktop),
                t(MessageId::Mobile),
                t(MessageId::Desktop)
            );
        }
        Screen::DesktopActivation(page) => {
            println!("│ {}", t(MessageId::CopyActivationParameters));
            println!("│   {:<16} {}", t(MessageId::Address), page.address);
            println!("│   {:<16} {}", t(MessageId::SerialNumber), page.serial);
            println!(
                "│   {:<16} {}",
                t(MessageId::ActivationCode),
                page.activation_code.expose_grouped().as_str()
            );
            println!("│ {}", t(MessageId::EnterRegistrationCode));
            println!("│   {} *", t(MessageId::Response));
        }
        Screen::MobileActivation(page) => {
            println!("│ {}", t(MessageId::ScanQrCode));
            print_qr(&page.qr_uri);
            println!(
                "│ {}: {}",
                t(MessageId::ActivationPassword),
                page.password.expose_secret().as_str()
            );
            println!("│ ({})", page.qr_uri);
            if let Some(open) = &page.open {
                println!("│ {}", t(MessageId::ScanOpenQrCode));
                print_qr(&open.uri);
                println!("│ {}: {}", t(MessageId::OpenPathKey), open.key.as_str());
                println!("│ {}", t(MessageId::EnterOpenPathCode));
            }
        }
        Screen::Enrolled { recovery_codes, .. } => {
            println!("│ {}", t(MessageId::Enrolled));
            if !recovery_codes.is_empty() {
                println!("│ {}", t(MessageId::RecoveryCodesIntro));
                for code in recovery_codes {
                    println!("│   {}", code.expose_grouped().as_str());
                }
            }
            println!("│ [{}]", t(MessageId::Continue));
        }
        Screen::RecoveryCodes { codes, .. } => {
            println!("│ {}", t(MessageId::RecoveryCodesIntro));
            for code in codes {
                println!("│   {}", code.expose_grouped().as_str());
            }
            println!("│ [{}]", t(MessageId::Continue));
        }
        Screen::EnterTokenCode {
            user,
            passkey,
            codes,
        } => {
            println!("│ {user}");
            if *passkey {
                println!("│ [{}]", t(MessageId::UsePasskey));
            }
            if *codes {
                println!("│ {}", t(MessageId::EnterTokenCode));
                println!("│ {}", t(MessageId::NoAuthenticator));
            }
        }
        // A terminal runs no WebAuthn ceremony: the web example does (tollgate-axum).
        Screen::UsePasskey { .. } | Screen::CreatePasskey { .. } => {
            println!("│ {}", t(MessageId::PasskeyUnsupported));
        }
        Screen::ResetStart { user } => {
            println!("│ {} ({user})", t(MessageId::ResetPassword));
            println!("│ {}", t(MessageId::ResetEnterTokenCode));
            println!("│ {}", t(MessageId::NoAuthenticator));
        }
        Screen::ResetPin { channel, step, .. } => {
            let step = Message::new(MessageId::ResetStep).with("step", step.to_string());
            println!(
                "│ {} · {}",
                t(MessageId::ResetPassword),
                catalog.render(&step)
            );
            let sent = match channel {
                Channel::Sms => MessageId::ResetPinSms,
                _ => MessageId::ResetPinEmail,
            };
            println!("│ {}", t(sent));
        }
        Screen::NewPassword { rules, .. } => {
            let stated = Message::new(MessageId::PasswordRules)
                .with("min", rules.min.to_string())
                .with("max", rules.max.to_string());
            println!("│ {}", catalog.render(&stated));
            println!(
                "│ [{}]            [{}]",
                t(MessageId::NewPassword),
                t(MessageId::SetPassword)
            );
        }
        Screen::PasswordChanged { .. } => {
            println!("│ {}", t(MessageId::PasswordChanged));
            println!("│ [{}]", t(MessageId::Continue));
        }
        Screen::EnterRecoveryCode { user, left } => {
            let left = Message::new(MessageId::RecoveryLeft).with("left", left.to_string());
            println!("│ {user}");
            println!(
                "│ {} ({})",
                t(MessageId::EnterRecoveryCode),
                catalog.render(&left)
            );
        }
        Screen::SecondFactorLocked { user } => {
            println!("│ {user}");
            println!("│ {}", t(MessageId::SecondFactorLocked));
        }
        Screen::Authenticated {
            user,
            authenticators,
            ..
        } => {
            println!("│ {} ({user})", t(MessageId::LoggedIn));
            println!("│ {}:", t(MessageId::YourAuthenticators));
            for a in authenticators {
                let name = a.name.as_ref().map_or_else(
                    || match a.kind {
                        Some(tollgate::login::EnrollmentKind::Mobile) => t(MessageId::Mobile),
                        Some(tollgate::login::EnrollmentKind::Desktop) => t(MessageId::Desktop),
                        None => t(MessageId::AuthenticatorUnnamed),
                    },
                    |n| n.as_str().to_owned(),
                );
                println!("│   {name} {}", a.serial);
            }
        }
    }
    println!("└──────────────────────────────────────────────────────────────");
}
