import Glibc

/// A terminal switched to reading key by key, and how to put it back.
///
/// Character mode here is "cbreak": no line editing and no echo, so a key such as Ctrl+R
/// arrives at once, while Ctrl+C, Ctrl+\ and Ctrl+Z still raise their signals.
public struct TerminalMode: Sendable {
    public let descriptor: Int32
    private let saved: termios

    /// Switches the terminal on `descriptor` to character mode; nil when it is no terminal
    /// (or hostctl is not in its foreground, where changing it would stop hostctl).
    public static func enterCharacterMode(_ descriptor: Int32) -> TerminalMode? {
        guard isatty(descriptor) == 1, tcgetpgrp(descriptor) == getpgrp() else { return nil }
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else { return nil }
        let saved = settings
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &settings.c_cc) { controls in
            controls[Int(VMIN)] = 1
            controls[Int(VTIME)] = 0
        }
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else { return nil }
        return TerminalMode(descriptor: descriptor, saved: saved)
    }

    /// Puts back the settings the terminal had before.
    public func restore() {
        var settings = saved
        _ = tcsetattr(descriptor, TCSANOW, &settings)
    }
}
