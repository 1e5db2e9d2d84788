import SafelistCore
import Synchronization

/// The stamps of a PostgreSQL node, from what its change listener heard: every node notifies
/// at commit when it writes an account's policies or revokes a credential, so a stamp changes
/// when the notification arrives (milliseconds after the commit, on another node). While the
/// listener is down, notifications are lost, so there is no stamp and caches are not used;
/// each reconnection starts a new epoch, so nothing read before the gap is trusted after it.
/// A node's own policy writes are applied to its caches by the writer itself, before the
/// write is acknowledged (`PolicyReadCache`).
final class ListenerStamps: Sendable {
    private struct State {
        var listening = false
        var epoch: UInt64 = 0
        var credentials: Int64 = 0
        var accounts: [AccountID: Int64] = [:]
    }

    private let state = Mutex(State())

    func listening() {
        state.withLock { state in
            state.epoch &+= 1
            state.accounts.removeAll()
            state.listening = true
        }
    }

    func deaf() {
        state.withLock { state in
            state.epoch &+= 1
            state.listening = false
        }
    }

    func credentialsChanged() {
        state.withLock { $0.credentials += 1 }
    }

    func changed(_ signal: ChangeSignal) {
        state.withLock { state in
            switch signal {
            case .account(let account, let generation): state.accounts[account] = max(state.accounts[account] ?? 0, generation)
            case .everything: state.epoch &+= 1
            }
        }
    }

    var credentials: ChangeStamp? {
        state.withLock { $0.listening ? ChangeStamp(epoch: $0.epoch, generation: $0.credentials) : nil }
    }

    func policies(of account: AccountID) -> ChangeStamp? {
        state.withLock { $0.listening ? ChangeStamp(epoch: $0.epoch, generation: $0.accounts[account] ?? 0) : nil }
    }
}
