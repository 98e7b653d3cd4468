import Commands

BastionCommand.main()
