import SafelistCore

/// One file, one WAL-index: any commit, by this server or by the CLI in another process, moves
/// its counter. Policies: any commit renews the stamp (coarser than needed, but exact: a cache
/// never answers across a commit it did not see). Credentials: the same, less this server's own
/// policy commits (`OwnPolicyCommits`), which change no credential: under a write-heavy load
/// the credential cache still answers, while a token revoked anywhere is seen at once.
extension SQLiteStore: ChangeStamps {
    public func credentialsStamp() -> ChangeStamp? {
        guard let counter = commits?.current() else { return nil }
        return ownPolicyCommits.others(counter).map { ChangeStamp(epoch: $0) }
    }

    public func policiesStamp(account: AccountID) -> ChangeStamp? {
        commits?.current().map { ChangeStamp(epoch: $0) }
    }
}
