public enum SSHCryptoPlaceholder {}
