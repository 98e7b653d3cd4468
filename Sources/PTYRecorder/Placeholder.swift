public enum PTYRecorderPlaceholder {}
