namespace PartnerBot.Cards.AdaptiveCards;

/// <summary>Where an Adaptive Card is shown; decides the action type (Teams: Action.Execute, Web Chat: Action.Submit).</summary>
public enum CardHost { Teams, WebChat }
