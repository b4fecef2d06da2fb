//! The audit trail: every write records who acted and, when staff act for a
//! farmer, for whom.

use diesel::prelude::*;
use storage::schema::audit_log;
use storage::DbConnection;

use crate::Actor;

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    acting_for: Option<&str>,
    action: &str,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(storage::new_id()),
            audit_log::actor_user_id.eq(&actor.user_id),
            audit_log::acting_for.eq(acting_for),
            audit_log::action.eq(action),
            audit_log::subject_type.eq(subject_type),
            audit_log::subject_id.eq(subject_id),
            audit_log::at.eq(storage::now()),
        ))
        .execute(conn)?;
    Ok(())
}
