public enum BastionPlaceholder {}
