/// The release this build is: `safelist --version`, `/healthz`, the start banner and logs say
/// it. Bumped when a release is cut.
public enum SafelistVersion {
    public static let current = "0.1.0"
}
