//! Errors of the command line and the one place where they become exit codes
//! and hints.

use gitsync::reconcile::ReconcileError;
use gitsync::store::StoreError;
use std::fmt;

/// The exit codes of SPEC.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    Differences = 3,
    Busy = 4,
}

/// The longest `--reason` or `--by` an operator may give, in characters.
pub const MAX_OPERATOR_TEXT: usize = 1_000;

/// An error with the exit code it means and what to do about it.
#[derive(Debug)]
pub struct CommandError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CommandError {
    pub fn usage(message: impl Into<String>) -> Self {
        CommandError {
            exit: Exit::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        CommandError {
            exit: Exit::Failure,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Operator text kept in the state and shown by later commands (a halt
    /// or reject reason, a reviewer name): at most [`MAX_OPERATOR_TEXT`]
    /// characters, a sentence or a ticket link rather than a pasted log.
    pub fn check_text(flag: &str, text: &str) -> Result<(), CommandError> {
        let chars = text.chars().count();
        if chars > MAX_OPERATOR_TEXT {
            return Err(CommandError::usage(format!(
                "{flag} is {chars} characters; give at most {MAX_OPERATOR_TEXT} (link to a ticket for the details)"
            )));
        }
        Ok(())
    }

    pub fn unknown_repo(name: &str) -> Self {
        CommandError::usage(format!("no repo named '{name}'"))
            .with_hint("run 'gitsync repo list' to see the registered repos")
    }

    pub fn unknown_proposal(id: i64) -> Self {
        CommandError::usage(format!("no proposal with id {id}"))
            .with_hint("run 'gitsync proposals list --status all' to see every proposal")
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let busy = matches!(e, StoreError::Busy);
        if let StoreError::ReadOnly { .. } = e {
            return CommandError::failure(e.to_string()).with_hint(
                "status, get, history, runs, events and proposals list/show work on it read-only; \
                 commands that change state need a writable state file (and its folder, for SQLite's journal)",
            );
        }
        if let StoreError::Missing { .. } = e {
            return CommandError::usage(e.to_string()).with_hint(
                "check --state (or GITSYNC_STATE); 'gitsync repo add' creates a state file",
            );
        }
        let hint = match &e {
            StoreError::Sqlite(inner)
                if matches!(
                    inner.sqlite_error_code(),
                    Some(
                        rusqlite::ErrorCode::DiskFull
                            | rusqlite::ErrorCode::ReadOnly
                            | rusqlite::ErrorCode::SystemIoFailure
                    )
                ) =>
            {
                None
            }
            StoreError::Open { .. } | StoreError::Sqlite(_) => Some(
                "check that --state (or GITSYNC_STATE) names a gitsync state file, or a new file \
                 in a folder you may write, and that you may read and write it"
                    .to_string(),
            ),
            _ => None,
        };
        CommandError {
            exit: if busy { Exit::Busy } else { Exit::Failure },
            message: e.to_string(),
            hint,
        }
    }
}

impl From<ReconcileError> for CommandError {
    fn from(e: ReconcileError) -> Self {
        match e {
            ReconcileError::Store(e) => e.into(),
            ReconcileError::Busy(_) => CommandError {
                exit: Exit::Busy,
                message: e.to_string(),
                hint: None,
            },
            other => CommandError::failure(other.to_string()),
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        CommandError::failure(e.to_string())
    }
}

pub type CmdResult<T = Exit> = Result<T, CommandError>;
