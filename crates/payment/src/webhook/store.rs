//! The webhook's inbox: every body as it came, and what became of it.

use diesel::prelude::*;
use storage::schema::bank_webhook_inbox;
use storage::DbConnection;

use common::NotificationId;

use common::ApiError;

/// Stores a webhook body exactly as it came, before anything is done with
/// it (its own transaction, so it stays even when processing fails).
/// Returns the inbox id.
pub fn store_raw(conn: &mut DbConnection, body: &[u8]) -> Result<String, ApiError> {
    let id = storage::new_id();
    diesel::insert_into(bank_webhook_inbox::table)
        .values((
            bank_webhook_inbox::id.eq(&id),
            bank_webhook_inbox::received_at.eq(storage::now()),
            // as received, except what a text column cannot hold: invalid
            // UTF-8 and NUL (PostgreSQL) become U+FFFD
            bank_webhook_inbox::raw_body.eq(String::from_utf8_lossy(body).replace('\0', "\u{FFFD}")),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Notes what became of an inbox entry.
pub fn note_outcome(
    conn: &mut DbConnection,
    inbox_id: &str,
    notification_id: Option<&NotificationId>,
    outcome: &str,
) -> Result<(), ApiError> {
    diesel::update(bank_webhook_inbox::table.find(inbox_id))
        .set((
            bank_webhook_inbox::notification_id.eq(notification_id),
            bank_webhook_inbox::outcome.eq(outcome),
        ))
        .execute(conn)?;
    Ok(())
}
