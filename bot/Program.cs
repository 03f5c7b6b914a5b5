using PartnerBot.Bot.Cli;

return await PartnerBotCli.RunAsync(args);
