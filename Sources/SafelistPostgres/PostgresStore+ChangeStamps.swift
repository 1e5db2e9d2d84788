import SafelistCore

extension PostgresStore: ChangeStamps {
    public func credentialsStamp() -> ChangeStamp? { stamps.credentials }

    public func policiesStamp(account: AccountID) -> ChangeStamp? { stamps.policies(of: account) }
}
