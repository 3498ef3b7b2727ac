//! Time: the critical path to each end before and after ([`baton_ir::timing`], one pass
//! in topological order per side), against the deadline. A change that makes an end
//! miss a deadline it met is flagged as [`Kind::DeadlineMissed`].

use baton_ir::timing::longest_paths;
use baton_ir::{format_duration, SmolStr};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::paths::end_nodes;
use crate::{Change, Kind, Message, Pair};

pub(crate) fn compare(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    if old.deadline != new.deadline {
        let show = |d: Option<u64>| d.map_or("none".to_string(), format_duration);
        changes.push(
            Change::new(
                Kind::DeadlineChanged,
                Message::new().w(format!(
                    "the deadline is now {} (was {})",
                    show(new.deadline),
                    show(old.deadline)
                )),
            )
            .before_after(
                old.deadline.map_or(Value::Null, Value::from),
                new.deadline.map_or(Value::Null, Value::from),
            ),
        );
    }
    let old_times = longest_paths(old);
    let new_times = longest_paths(new);
    // Ends whose critical paths moved alike are told together: (before, after) → ends.
    let mut moved: BTreeMap<(u64, u64), Vec<SmolStr>> = BTreeMap::new();
    let mut order: Vec<(u64, u64)> = Vec::new();
    for end in end_nodes(new) {
        let Some(old_end) = pair.matching.to_old(end) else {
            continue;
        };
        let (Some(before), Some(after)) = (old_times.total(old_end), new_times.total(end)) else {
            continue;
        };
        let was_late = old.deadline.is_some_and(|d| before > d);
        let is_late = new.deadline.is_some_and(|d| after > d);
        if before != after || was_late != is_late {
            let ends = moved.entry((before, after)).or_default();
            if ends.is_empty() {
                order.push((before, after));
            }
            ends.push(new.graph[end].id.clone());
        }
    }
    for (before, after) in order {
        let ends = moved.remove(&(before, after)).unwrap_or_default();
        let was_late = old.deadline.is_some_and(|d| before > d);
        let is_late = new.deadline.is_some_and(|d| after > d);
        let with = |kind: Kind, message: Message| {
            let mut change = Change::new(kind, message).before_after(before, after);
            if let [one] = ends.as_slice() {
                change.node = Some(one.clone());
            }
            change.ends = ends.clone();
            change
        };
        if is_late && !was_late {
            let deadline = new.deadline.unwrap_or_default();
            changes.push(with(
                Kind::DeadlineMissed,
                Message::new().names(&ends).w(format!(
                    " can no longer be reached within the deadline: the critical path takes {}, {} over the {} deadline",
                    format_duration(after),
                    format_duration(after - deadline),
                    format_duration(deadline)
                )),
            ));
        } else if was_late && !is_late {
            changes.push(with(
                Kind::DeadlineMet,
                Message::new().names(&ends).w(format!(
                    " now meets the deadline: the critical path takes {} (was {})",
                    format_duration(after),
                    format_duration(before)
                )),
            ));
        }
        if before != after {
            let delta = if after > before {
                format!("+{}", format_duration(after - before))
            } else {
                format!("−{}", format_duration(before - after))
            };
            let spare = match new.deadline {
                Some(d) if after <= d => format!("; {} to spare", format_duration(d - after)),
                Some(d) => format!("; {} over the deadline", format_duration(after - d)),
                None => String::new(),
            };
            changes.push(with(
                Kind::CriticalPathChanged,
                Message::new()
                    .w("critical path to ")
                    .names(&ends)
                    .w(format!(
                        ": {} (was {}, {delta}{spare})",
                        format_duration(after),
                        format_duration(before)
                    )),
            ));
        }
    }
}
