/// Turns a write request into the ordered row changes a store applies in one transaction. The
/// planner holds every rule (not found, edit validation, replace semantics, timestamps); a store
/// only fetches the referenced rows beforehand and applies the changes afterwards, mapping a
/// unique-index violation to `SafelistError.duplicatePattern` at the change's pointer.
public enum WritePlanner {
    public enum Change: Sendable, Equatable {
        case delete(PolicyID)
        case update(AllowPolicy)
        case insert(AllowPolicy)

        /// The policy the change touches, which the change feed records.
        public var policyID: PolicyID {
            switch self {
            case .delete(let id): id
            case .update(let policy), .insert(let policy): policy.id
            }
        }
    }

    public struct PlannedChange: Sendable, Equatable {
        public var change: Change
        /// Where a conflict caused by this change is reported (`/posts/2/pattern`, or `/pattern`).
        public var conflictPointer: String
        /// What the audit trail records: the request's verb, when, and the policy before it.
        public var action: AuditAction
        public var at: Timestamp
        public var before: AllowPolicy?
    }

    public struct Plan: Sendable, Equatable {
        public var changes: [PlannedChange] = []
        public var result = BatchResult()

        /// The audit trail's entries for these changes, in order; the store numbers them.
        public func audit(account: AccountID, origin: ChangeOrigin) -> [AuditEntry] {
            changes.map { planned in
                let after: AllowPolicy? =
                    switch planned.change {
                    case .delete: nil
                    case .update(let policy), .insert(let policy): policy
                    }
                return AuditEntry(
                    sequence: 0, accountID: account, policyID: planned.change.policyID, action: planned.action, origin: origin,
                    at: planned.at, before: planned.before, after: after)
            }
        }
    }

    public static func plan(
        _ request: BatchRequest, account: AccountID, existing: [PolicyID: AllowPolicy],
        clock: () -> Timestamp = Timestamp.now
    ) throws -> Plan {
        var current = existing
        var plan = Plan()
        var last = Timestamp(microseconds: .min)
        // Strictly increasing times within one request keep its posts in item order by created_at.
        func tick() -> Timestamp {
            let now = clock()
            last = now > last ? now : Timestamp(microseconds: last.microseconds + 1)
            return last
        }
        func existingPolicy(_ id: PolicyID, pointer: String?) throws(SafelistError) -> AllowPolicy {
            guard let policy = current[id], policy.accountID == account else {
                throw SafelistError.policyNotFound(pointer: pointer.map { $0 + "/id" })
            }
            return policy
        }
        for item in request.deletes {
            let before = try existingPolicy(item.id, pointer: item.pointer)
            current[item.id] = nil
            plan.changes.append(PlannedChange(change: .delete(item.id), conflictPointer: "", action: .delete, at: tick(), before: before))
            plan.result.deletes.append(item.id)
        }
        for item in request.patches {
            let policy = try existingPolicy(item.id, pointer: item.pointer)
            let updated: AllowPolicy
            do throws(SafelistError) {
                updated = try item.edit.apply(to: policy, now: tick())
            } catch {
                throw SafelistError(error.kind, error.errors.map { $0.nested(under: item.pointer ?? "") })
            }
            current[item.id] = updated
            plan.changes.append(
                PlannedChange(
                    change: .update(updated), conflictPointer: (item.pointer ?? "") + "/pattern", action: .edit, at: updated.modifiedAt,
                    before: policy))
            plan.result.patches.append(updated)
        }
        for item in request.puts {
            let before = try existingPolicy(item.id, pointer: item.pointer)
            var policy = before
            policy.replace(with: item.fields, now: tick())
            current[item.id] = policy
            plan.changes.append(
                PlannedChange(
                    change: .update(policy), conflictPointer: (item.pointer ?? "") + "/pattern", action: .replace, at: policy.modifiedAt,
                    before: before))
            plan.result.puts.append(policy)
        }
        for item in request.posts {
            let policy = AllowPolicy(accountID: account, fields: item.fields, now: tick())
            plan.changes.append(
                PlannedChange(
                    change: .insert(policy), conflictPointer: (item.pointer ?? "") + "/pattern", action: .create, at: policy.createdAt,
                    before: nil))
            plan.result.posts.append(policy)
        }
        if let checked = request.checkedRegexes {
            var unchecked: [(pattern: String, pointer: String)] = []
            for planned in plan.changes {
                switch planned.change {
                case .insert(let policy), .update(let policy):
                    if policy.isRegex, !checked.contains(policy.pattern) { unchecked.append((policy.pattern, planned.conflictPointer)) }
                case .delete:
                    break
                }
            }
            if !unchecked.isEmpty { throw UncheckedRegexes(patterns: unchecked) }
        }
        return plan
    }
}

/// The plan would write regexes whose compile check has not run: the caller checks them and
/// plans again (`RegexCheckedStore`).
public struct UncheckedRegexes: Error, Sendable {
    public var patterns: [(pattern: String, pointer: String)]
}
