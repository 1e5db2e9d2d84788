import SafelistCore

/// One file, one WAL-index: any commit, by this server or by the CLI in another process,
/// changes both stamps. Coarser than needed (a policy write also renews the credentials'), but
/// exact: a cache never answers across a commit it did not see.
extension SQLiteStore: ChangeStamps {
    public func credentialsStamp() -> ChangeStamp? {
        commits?.current().map { ChangeStamp(epoch: $0) }
    }

    public func policiesStamp(account: AccountID) -> ChangeStamp? {
        commits?.current().map { ChangeStamp(epoch: $0) }
    }
}
