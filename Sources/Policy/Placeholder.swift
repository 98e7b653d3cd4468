public enum PolicyPlaceholder {}
